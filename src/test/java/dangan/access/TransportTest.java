package dangan.access;

import dangan.support.ApiClient;
import dangan.support.RunningService;
import dangan.support.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The HTTP server is safe by default (issue 10): it listens on this machine only, speaks HTTPS from a
 * PKCS#12 keystore when given one, and over plain HTTP takes no token from another machine.
 */
@Tag("service")
class TransportTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void byDefaultTheServerListensOnThisMachineOnly(@TempDir Path home) throws Exception {
        InetAddress network = networkAddress();
        try (RunningService dangan = RunningService.start(home, Map.of("dangan.db.url", TestDatabase.freshDatabase(),
                "dangan.db.user", "postgres"))) {
            ApiClient staff = ApiClient.asNewUser(dangan, "li.na", Role.FRONT_DESK);
            assertThat(staff.get("/api/me").status()).isEqualTo(200);
            assertThatThrownBy(() -> new Socket(network, dangan.httpPort()).close()).isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void overPlainHttpATokenFromAnotherMachineIsRefused(@TempDir Path home) throws Exception {
        InetAddress network = networkAddress();
        try (RunningService dangan = RunningService.start(home, Map.of("dangan.db.url", TestDatabase.freshDatabase(),
                "dangan.db.user", "postgres", "dangan.http.host", "0.0.0.0"))) {
            String token = ApiClient.asNewUser(dangan, "li.na", Role.FRONT_DESK).token();
            long audited = dangan.count("select count(*) from audit_log");

            HttpResponse<String> fromNetwork = HTTP.send(HttpRequest.newBuilder(
                            URI.create("http://" + network.getHostAddress() + ":" + dangan.httpPort() + "/api/me"))
                    .header("Authorization", "Bearer " + token).header("Accept-Language", "en").GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(fromNetwork.statusCode()).isEqualTo(401);
            assertThat(fromNetwork.body()).contains("not taken over plain HTTP from another machine");
            assertThat(dangan.count("select count(*) from audit_log where id > ? and outcome = 'denied'", audited)).isEqualTo(1);
            // the same token from this machine (a reverse proxy on this host) is taken
            assertThat(ApiClient.withToken(dangan, token).get("/api/me").status()).isEqualTo(200);
        }
    }

    @Test
    void withAKeystoreTheServerSpeaksHttpsAndTakesTokensFromTheNetwork(@TempDir Path home) throws Exception {
        InetAddress network = networkAddress();
        Path keystore = home.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "dangan", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=dangan-test", "-ext", "SAN=ip:127.0.0.1,ip:" + network.getHostAddress(),
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "test-store-pass")
                .redirectErrorStream(true).start();
        String keytoolSaid = new String(keytool.getInputStream().readAllBytes());
        assertThat(keytool.waitFor()).as(keytoolSaid).isZero();

        try (RunningService dangan = RunningService.start(home, Map.of("dangan.db.url", TestDatabase.freshDatabase(),
                "dangan.db.user", "postgres", "dangan.http.host", "0.0.0.0",
                "dangan.http.tls.keystore", keystore.toString(), "dangan.http.tls.keystore-password", "test-store-pass"))) {
            String token = ApiClient.asNewUser(dangan, "li.na", Role.FRONT_DESK).token();
            HttpClient https = HttpClient.newBuilder().sslContext(trusting(keystore)).connectTimeout(Duration.ofSeconds(10)).build();

            HttpResponse<String> me = https.send(HttpRequest.newBuilder(
                            URI.create("https://" + network.getHostAddress() + ":" + dangan.httpPort() + "/api/me"))
                    .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
            assertThat(me.body()).contains("li.na");
            // plain HTTP on the same port gets no answer
            assertThatThrownBy(() -> HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dangan.httpPort() + "/api/me"))
                    .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(IOException.class);
        }
    }

    @Test
    void onlyLoopbackAddressesCountAsThisMachine() {
        assertThat(Transport.isLoopback("127.0.0.1")).isTrue();
        assertThat(Transport.isLoopback("0:0:0:0:0:0:0:1")).isTrue();
        assertThat(Transport.isLoopback("[::1]")).isTrue();
        assertThat(Transport.isLoopback("192.0.2.7")).isFalse();
        assertThat(Transport.isLoopback("localhost.attacker.example")).isFalse();
        assertThat(Transport.isLoopback("unknown")).isFalse();
    }

    /** An address of this machine other than loopback: what another machine on the network would connect to. */
    private static InetAddress networkAddress() throws IOException {
        Optional<InetAddress> found = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .filter(i -> {
                    try {
                        return i.isUp() && !i.isLoopback();
                    } catch (IOException e) {
                        return false;
                    }
                })
                .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()).findFirst();
        assumeTrue(found.isPresent(), "this machine has no network address besides loopback");
        return found.get();
    }

    private static SSLContext trusting(Path keystore) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, "test-store-pass".toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
