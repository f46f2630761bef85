package dangan.support;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real small filesystem for the disk-full trials: a tmpfs of a few hundred KiB mounted on a folder of
 * the test ({@code mount -t tmpfs}; needs root or CAP_SYS_ADMIN, as the project's machine has). Where
 * mount is refused the trial is skipped with the reason (JUnit Assumptions), never passed. Fill it
 * ({@link #fill}) to leave only as much space as the trial wants, give the space back ({@link #freeUp}),
 * and close it (unmount) in a finally or try-with-resources.
 */
public final class SmallDisk implements AutoCloseable {

    private static final String FILLER = ".filler";

    private final Path folder;

    private SmallDisk(Path folder) {
        this.folder = folder;
    }

    /** Mounts a tmpfs of {@code bytes} on {@code folder} (created if missing), or skips the trial. */
    public static SmallDisk mount(Path folder, long bytes) throws IOException, InterruptedException {
        Files.createDirectories(folder);
        String said = run(List.of("mount", "-t", "tmpfs", "-o", "size=" + bytes + ",mode=0700", "tmpfs", folder.toString()));
        Assumptions.assumeTrue(said == null, () -> "Disk-full trial skipped: this machine does not let the test mount a small"
                + " tmpfs on " + folder + " (" + said + "); it needs root or CAP_SYS_ADMIN");
        return new SmallDisk(folder);
    }

    public Path folder() {
        return folder;
    }

    /** The bytes still free on the small disk. */
    public long free() throws IOException {
        return Files.getFileStore(folder).getUsableSpace();
    }

    /** Writes a filler file so that about {@code leaveFree} bytes (rounded to pages) stay free. */
    public void fill(long leaveFree) throws IOException {
        long toWrite = free() - leaveFree;
        byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(folder.resolve(FILLER))) {
            for (long written = 0; written + block.length <= toWrite; written += block.length) out.write(block);
        } catch (IOException e) {
            // full sooner than counted: the service wrote to the disk meanwhile — full to the last byte, as asked
            if (leaveFree > 0 || !String.valueOf(e.getMessage()).contains("No space left on device")) throw e;
        }
    }

    /** Removes the filler: the space is back. */
    public void freeUp() throws IOException {
        Files.deleteIfExists(folder.resolve(FILLER));
    }

    /** The files of the small disk other than the filler, by name. */
    public List<String> files() throws IOException {
        try (var list = Files.list(folder)) {
            return list.map(p -> p.getFileName().toString()).filter(n -> !n.equals(FILLER)).sorted().toList();
        }
    }

    /** Unmounts the tmpfs (its content goes with it). */
    @Override
    public void close() throws IOException, InterruptedException {
        String said = run(List.of("umount", folder.toString()));
        if (said != null) said = run(List.of("umount", "-l", folder.toString()));
        if (said != null) throw new IOException("Cannot unmount the small disk " + folder + ": " + said);
    }

    /** Runs a command; null when it succeeded, else what it said. */
    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return e.getMessage();
        }
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return String.join(" ", command) + " did not finish in 30 s";
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return p.exitValue() == 0 ? null : "exit " + p.exitValue() + (out.isEmpty() ? "" : ": " + out);
    }
}
