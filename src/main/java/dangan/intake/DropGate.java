package dangan.intake;

import dangan.i18n.Messages;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The door of every drop folder (the {@code filter} of routes/drop-folder.yaml): only a regular file
 * that is not a link, has no other name (link count 1) and lies in the folder itself goes in, under a
 * name short enough to be filed. Anything else — a symbolic link (wherever it points), a hard link, a
 * pipe or device, a name too long for done/ — is set aside at once, untouched: the entry itself is
 * moved (never its target, which is never opened) to {@code failed/<date>/<time>-<name>} with an
 * owner-only {@code .error.txt} beside it, one log line, and a failed entry in the ingest ledger that
 * the administrator sees on the Intake page. Names are shown escaped ({@link FileName#shown}).
 */
public final class DropGate implements GenericFileFilter<File> {

    private static final Logger LOG = LoggerFactory.getLogger(DropGate.class);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HHmmss");

    private final ArchiveIntake intake;
    private final IntakeTally tally;
    private final Messages messages;

    public DropGate(ArchiveIntake intake, IntakeTally tally, Messages messages) {
        this.intake = intake;
        this.tally = tally;
        this.messages = messages;
    }

    @Override
    public boolean accept(GenericFile<File> file) {
        if (file.isDirectory()) return true; // the drop folders are not read recursively
        Path path = file.getFile().toPath().toAbsolutePath();
        Path folder = Path.of(file.getEndpointPath()).toAbsolutePath();
        String refusal;
        try {
            refusal = refusal(path, folder);
        } catch (NoSuchFileException gone) {
            return false; // taken or removed meanwhile
        } catch (IOException e) {
            refusal = messages.text("dropfolder.unreadable-entry");
        }
        if (refusal == null) return true;
        setAside(path, folder, refusal);
        return false;
    }

    /** Why this entry of the folder may not be read, or null when it may. Looks at the entry itself, never at a link's target. */
    String refusal(Path path, Path folder) throws IOException {
        BasicFileAttributes entry = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (entry.isSymbolicLink()) return messages.text("dropfolder.symbolic-link");
        if (!entry.isRegularFile()) return messages.text("dropfolder.not-regular");
        Object links = Files.getAttribute(path, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
        if (links instanceof Integer count && count > 1) return messages.text("dropfolder.hard-link", "links", count);
        if (!path.getParent().toRealPath().equals(folder.toRealPath())) return messages.text("dropfolder.outside");
        String name = path.getFileName().toString();
        if (FileName.tooLong(name)) {
            return messages.text("dropfolder.name-too-long", "bytes", name.getBytes(StandardCharsets.UTF_8).length,
                    "max", FileName.MAX_BYTES);
        }
        return null;
    }

    /**
     * The note and the ledger entry first, then the move: whoever sees the entry gone from the folder
     * finds its reason already written (as the routes write an {@code .error.txt} before the file moves).
     */
    private void setAside(Path path, Path folder, String reason) {
        String name = path.getFileName().toString();
        String shown = FileName.shown(name);
        String channel = folder.getFileName().toString();
        LocalDateTime now = LocalDateTime.now();
        Path aside;
        Path note;
        try {
            Path day = OwnerOnly.folder(OwnerOnly.folder(folder.resolve("failed")).resolve(now.format(DAY)));
            aside = freeName(day, now.format(TIME) + "-" + FileName.shortened(name, FileName.MAX_BYTES));
            note = aside.resolveSibling(aside.getFileName() + ".error.txt");
            OwnerOnly.write(note, SpreadsheetIntake.failureNote(messages, shown, reason, messages.text("dropfolder.what-to-do")));
        } catch (IOException e) {
            LOG.error(messages.text("log.intake.not-set-aside", "channel", channel, "file", shown, "reason", reason, "problem", e.getClass().getSimpleName()));
            return;
        }
        try {
            intake.fail(intake.open("file", channel, shown, null, 0), reason);
        } catch (RuntimeException e) {
            LOG.error(messages.text("log.intake.not-in-ledger", "channel", channel, "file", shown, "problem", e.getClass().getSimpleName()));
        }
        try {
            Files.move(path, aside, LinkOption.NOFOLLOW_LINKS); // the entry itself: a link stays a link
        } catch (IOException e) {
            deleteQuietly(note);
            if (!(e instanceof NoSuchFileException)) { // gone: another instance set it aside first
                LOG.error(messages.text("log.intake.not-moved-aside", "channel", channel, "file", shown, "reason", reason,
                        "problem", e.getClass().getSimpleName()));
            }
            return;
        }
        tally.failed();
        LOG.warn("{}/{}: {} — {}", channel, shown, messages.text("dropfolder.set-aside"), reason);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the note stays beside nothing; harmless
        }
    }

    /** A name in {@code day} taken neither by an entry nor by a note. */
    private static Path freeName(Path day, String name) throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            Path target = day.resolve(attempt == 0 ? name : attempt + "-" + name);
            if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)
                    && !Files.exists(target.resolveSibling(target.getFileName() + ".error.txt"), LinkOption.NOFOLLOW_LINKS)) {
                return target;
            }
        }
        throw new FileAlreadyExistsException(day.resolve(name).toString());
    }
}
