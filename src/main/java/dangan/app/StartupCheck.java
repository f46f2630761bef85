package dangan.app;

import dangan.config.Settings;
import dangan.i18n.Language;
import dangan.i18n.Messages;
import dangan.intake.ColumnMap;
import dangan.privacy.MasterKey;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the service checks before it creates or starts anything (no folder, no database, no master
 * key): the configuration's values, the files it names, the HTTP port. A problem is one
 * {@link IllegalStateException} naming it, which {@code main} prints as one line and exits 1.
 */
final class StartupCheck {

    private StartupCheck() {
    }

    static void check(Settings settings) {
        Messages messages;
        try {
            settings.checkValues();
            messages = Messages.of(Language.of(settings));
            settings.zone();
            MasterKey.check(settings.get("dangan.master-key"));
            ColumnMap.load(settings.path("dangan.columns", "columns.properties"));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        Path routes = DanganService.routesFolder(settings);
        if (!hasRoutes(routes)) {
            throw new IllegalStateException(messages.text("cli.startup.no-routes", "folder", routes.toString()));
        }
        Path home = settings.home();
        if (Files.exists(home) ? !Files.isDirectory(home) || !Files.isWritable(home) : !Files.isDirectory(home.getParent())) {
            throw new IllegalStateException(messages.text("cli.startup.home", "folder", home.toString()));
        }
        if (settings.getBoolean("camel.server.enabled", true)) {
            int port = settings.getInt("dangan.http.port", 8080);
            String host = settings.get("camel.server.host", "0.0.0.0");
            if (host.startsWith("{{") && host.endsWith("}}")) { // camel.server.host={{dangan.http.host}}
                host = settings.get(host.substring(2, host.length() - 2).strip(), "0.0.0.0");
            }
            portFree(messages, host, port);
        }
    }

    private static boolean hasRoutes(Path folder) {
        if (!Files.isDirectory(folder)) return false;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.yaml")) {
            return files.iterator().hasNext();
        } catch (IOException e) {
            return false;
        }
    }

    /** Binds the port for a moment: taken by another process, the service would run without its API. */
    private static void portFree(Messages messages, String host, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (BindException e) {
            throw new IllegalStateException(messages.text("cli.startup.port-in-use", "port", String.valueOf(port), "host", host));
        } catch (IOException e) {
            throw new IllegalStateException(messages.text("cli.startup.port-unusable", "port", String.valueOf(port), "host", host,
                    "problem", String.valueOf(e.getMessage())));
        }
    }
}
