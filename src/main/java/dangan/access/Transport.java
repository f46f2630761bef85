package dangan.access;

import dangan.config.Settings;
import org.apache.camel.Exchange;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * How the HTTP server is reached (issue 10: safe by default): it binds {@code dangan.http.host}
 * (127.0.0.1 unless configured otherwise); with {@code dangan.http.tls.keystore} (PKCS#12) it speaks
 * HTTPS only (Camel's {@code camel.ssl.*}, used by the server through
 * {@code camel.server.useGlobalSslContextParameters}). Over plain HTTP, a token, a session cookie or a
 * password is refused from any address but the machine's own (a reverse proxy on the same host is
 * fine) unless {@code dangan.http.allow-plain-tokens=true} says so.
 *
 * @param tls              the server speaks HTTPS
 * @param plainFromNetwork tokens are taken over plain HTTP from other machines too
 */
public record Transport(boolean tls, boolean plainFromNetwork) {

    public static Transport from(Settings settings) {
        return new Transport(settings.get("dangan.http.tls.keystore") != null,
                settings.getBoolean("dangan.http.allow-plain-tokens", false));
    }

    /**
     * The server's part of the Camel properties: TLS from the PKCS#12 keystore when one is configured
     * (a missing file stops the start naming the key). The bind address is {@code camel.server.host}
     * = {@code dangan.http.host} in application.properties.
     */
    public static void configure(Settings settings, Properties camel) {
        String keystore = settings.get("dangan.http.tls.keystore");
        if (keystore == null) return;
        Path file = Path.of(keystore).toAbsolutePath();
        if (!Files.isReadable(file)) {
            throw dangan.i18n.ConfigurationException.of("config.tls.keystore", "file", file.toString());
        }
        camel.setProperty("camel.ssl.enabled", "true");
        camel.setProperty("camel.ssl.keyStore", "file:" + file);
        camel.setProperty("camel.ssl.keyStoreType", "PKCS12");
        camel.setProperty("camel.ssl.keystorePassword", settings.get("dangan.http.tls.keystore-password", ""));
        camel.setProperty("camel.server.useGlobalSslContextParameters", "true");
    }

    /** Whether a credential in this request must be refused: plain HTTP from another machine, not allowed. */
    public boolean refusesCredentials(Exchange exchange) {
        if (tls || plainFromNetwork) return false;
        return !isLoopback(Api.remoteHost(exchange));
    }

    static boolean isLoopback(String host) {
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (literal.isEmpty() || !(literal.indexOf(':') >= 0 || Character.isDigit(literal.charAt(0)))) return false;
        try {
            return InetAddress.getByName(literal).isLoopbackAddress(); // an IP literal: no name lookup
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
