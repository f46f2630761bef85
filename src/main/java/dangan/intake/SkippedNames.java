package dangan.intake;

import dangan.i18n.Messages;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.component.file.FileEndpoint;
import org.apache.camel.support.DefaultPollingConsumerPollStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The drop folders' poll strategy (routes/drop-folder.yaml): before each poll, a name the file
 * consumer will never take — one starting with a dot, such as {@code ..\x.csv} or {@code .hidden.csv},
 * which it treats as hidden — is logged once (escaped, {@link FileName#shown}), so a file that seems to
 * be ignored has a line saying why. A name is logged again only after it left the folder and came back.
 */
public final class SkippedNames extends DefaultPollingConsumerPollStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(SkippedNames.class);

    private final Messages messages;
    private final Set<Path> logged = ConcurrentHashMap.newKeySet();

    public SkippedNames(Messages messages) {
        this.messages = messages;
    }

    @Override
    public boolean begin(Consumer consumer, Endpoint endpoint) {
        if (endpoint instanceof FileEndpoint files) {
            Path folder = files.getFile().toPath().toAbsolutePath();
            Set<Path> seen = new HashSet<>();
            try (Stream<Path> entries = Files.list(folder)) {
                entries.filter(p -> p.getFileName().toString().startsWith("."))
                        .filter(p -> !Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                        .forEach(p -> {
                            seen.add(p);
                            if (logged.add(p)) {
                                LOG.info("{}/{}: {}", folder.getFileName(), FileName.shown(p.getFileName().toString()),
                                        messages.text("dropfolder.skipped-name"));
                            }
                        });
            } catch (IOException e) {
                // the consumer's own poll reports a folder it cannot list
            }
            logged.removeIf(p -> p.getParent().equals(folder) && !seen.contains(p));
        }
        return super.begin(consumer, endpoint);
    }
}
