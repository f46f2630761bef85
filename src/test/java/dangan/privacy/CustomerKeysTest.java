package dangan.privacy;

import dangan.audit.Exposure;
import dangan.access.Role;
import dangan.store.Db;
import dangan.support.ApiClient;
import dangan.support.Commands;
import dangan.support.RunningService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Per-customer keys (D-28): real ingest, real PostgreSQL, keys filed by the merge, destroyed by deleting them. */
@Tag("service")
class CustomerKeysTest {

    @TempDir
    static Path home;
    static RunningService dangan;
    static SensitiveFields sensitive;

    @BeforeAll
    static void start() throws Exception {
        dangan = RunningService.start(home);
        sensitive = dangan.bean("sensitiveFields", SensitiveFields.class);
    }

    @AfterAll
    static void stop() {
        dangan.close();
    }

    /** A valid 18-digit resident ID number (GB 11643 check digit) for a serial. */
    static String residentId(int serial) {
        String body = "440304198" + String.format("%01d", serial % 10) + "0101" + String.format("%03d", serial % 1000);
        int[] w = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
        int sum = 0;
        for (int i = 0; i < 17; i++) sum += (body.charAt(i) - '0') * w[i];
        return body + "10X98765432".charAt(sum % 11);
    }

    long customer(String mobile) throws Exception {
        return ((Number) dangan.row("select id from customer where mobile = ?", mobile).get("id")).longValue();
    }

    byte[] idEnc(String mobile) throws Exception {
        return (byte[]) dangan.row("select id_number_enc from customer where mobile = ?", mobile).get("id_number_enc");
    }

    @Test
    void valuesAreSealedPerCustomerAndUnreadableOnceTheKeysAreGone() throws Exception {
        String idA = residentId(101), idB = residentId(202);
        dangan.drop("keys.csv", ("姓名,手机,身份证号,过敏史,健康状况\n"
                + "甲客," + "13700000101," + idA + ",坚果过敏甲,高血压甲\n"
                + "乙客," + "13700000202," + idB + ",海鲜过敏乙,\n"
                + "甲客," + "13700000101,,芒果过敏甲,\n").getBytes(StandardCharsets.UTF_8));
        assertThat(dangan.awaitHandled("keys.csv").toString()).contains("/done/");
        long a = customer("13700000101"), b = customer("13700000202");

        // version 2, naming a key of that customer; every line carrying sensitive data brought its own key
        byte[] sealedA = idEnc("13700000101");
        assertThat(SensitiveFields.version(sealedA)).isEqualTo(2);
        UUID keyA = SensitiveFields.keyId(sealedA);
        assertThat(dangan.row("select customer_id from customer_key where id = ?", keyA)).containsEntry("customer_id", a);
        assertThat(dangan.count("select count(*) from customer_key where customer_id = ?", a)).isEqualTo(2);
        assertThat(dangan.count("select count(*) from customer_key where customer_id = ?", b)).isEqualTo(1);
        for (Map<String, Object> h : dangan.rows("select detail_enc, customer_id from health_fact")) {
            UUID key = SensitiveFields.keyId((byte[]) h.get("detail_enc"));
            assertThat(dangan.row("select customer_id from customer_key where id = ?", key)).containsEntry("customer_id", h.get("customer_id"));
        }

        sensitive.forgetAll(); // read through customer_key, not the cache
        assertThat(sensitive.decrypt(sealedA)).isEqualTo(idA);
        assertThat(decryptAll(a)).containsExactlyInAnyOrder("坚果过敏甲", "高血压甲", "芒果过敏甲");

        // a value cannot be moved under another key's name: the key id is associated data
        byte[] forged = sealedA.clone();
        byte[] keyB = uuidBytes(SensitiveFields.keyId(idEnc("13700000202")));
        System.arraycopy(keyB, 0, forged, 1, 16);
        assertThatThrownBy(() -> sensitive.decrypt(forged)).isInstanceOf(IllegalStateException.class);

        // destroying customer A = deleting its keys: A's values are unreadable, B's are not
        dangan.rows("delete from customer_key where customer_id = ? returning id", a);
        sensitive.forget(a);
        assertThatThrownBy(() -> sensitive.decrypt(sealedA)).isInstanceOf(KeyDestroyedException.class)
                .hasMessageContaining(keyA.toString()).hasMessageContaining("destroyed");
        assertThat(sensitive.decryptOrDestroyed(sealedA)).isEqualTo(SensitiveFields.DESTROYED);
        for (Map<String, Object> h : dangan.rows("select detail_enc from health_fact where customer_id = ?", a)) {
            assertThatThrownBy(() -> sensitive.decrypt((byte[]) h.get("detail_enc"))).isInstanceOf(KeyDestroyedException.class);
        }
        assertThat(sensitive.decrypt(idEnc("13700000202"))).isEqualTo(idB);
        assertThat(decryptAll(b)).containsExactly("海鲜过敏乙");
    }

    @Test
    void aKnownFactFilesNoNewKeyAndNoPlaintextIsInAnyTable() throws Exception {
        String id = residentId(303);
        String csv = "姓名,手机,身份证号,过敏史,健康状况,备注\n"
                + "丙客,13700000303," + id + ",青霉素过敏丙,糖尿病丙,\n"
                + "丁客,badmobile,,花粉过敏丁,,\n"; // rejected: the raw line is kept under the service key
        dangan.drop("plain.csv", csv.getBytes(StandardCharsets.UTF_8));
        assertThat(dangan.awaitHandled("plain.csv").toString()).contains("/done/");
        long c = customer("13700000303");
        assertThat(dangan.count("select count(*) from customer_key where customer_id = ?", c)).isEqualTo(1);

        // the same facts again (another file): nothing new is filed, so no key is filed
        dangan.drop("plain-again.csv", ("姓名,手机,过敏史\n丙客,13700000303,青霉素过敏丙\n").getBytes(StandardCharsets.UTF_8));
        dangan.awaitHandled("plain-again.csv");
        assertThat(dangan.count("select count(*) from customer_key where customer_id = ?", c)).isEqualTo(1);
        assertThat(dangan.count("select count(*) from customer_key k where not exists (select 1 from customer x where x.id = k.customer_id)"))
                .isZero();

        // psql's view: no table, no text or bytea column holds the ID number or the health data in clear
        List<String> hits = new ArrayList<>();
        try (Connection conn = dangan.service().database().dataSource().getConnection()) {
            List<String[]> columns = new ArrayList<>();
            try (ResultSet rs = conn.createStatement().executeQuery("""
                    select c.table_name, c.column_name, c.data_type from information_schema.columns c
                    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
                    where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
                      and c.data_type in ('text', 'character varying', 'character', 'bytea', 'jsonb', 'json', 'ARRAY')""")) {
                while (rs.next()) columns.add(new String[]{rs.getString(1), rs.getString(2), rs.getString(3)});
            }
            assertThat(columns.size()).isGreaterThan(50);
            for (String[] col : columns) {
                for (String plain : List.of(id, "青霉素过敏丙", "糖尿病丙", "花粉过敏丁")) {
                    String test = col[2].equals("bytea")
                            ? "position(convert_to(?, 'UTF8') in \"" + col[1] + "\") > 0"
                            : "\"" + col[1] + "\"::text like '%' || ? || '%'";
                    try (PreparedStatement ps = conn.prepareStatement("select count(*) from \"" + col[0] + "\" where " + test)) {
                        ps.setString(1, plain);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            if (rs.getLong(1) > 0) hits.add(col[0] + "." + col[1] + " holds " + plain.substring(0, 2) + "…");
                        }
                    }
                }
            }
        }
        assertThat(hits).isEmpty();
        // the scan does find what is stored in clear (the name): it is not blind
        assertThat(dangan.count("select count(*) from customer where name::text like '%' || ? || '%'", "丙客")).isEqualTo(1);
    }

    @Test
    void version1ValuesStillOpenAndResealMovesThemUnderCustomerKeys() throws Exception {
        dangan.drop("old.csv", "姓名,手机\n戊客,13700000404\n己客,13700000505\n".getBytes(StandardCharsets.UTF_8));
        dangan.awaitHandled("old.csv");
        long e = customer("13700000404"), f = customer("13700000505");
        // data from before per-customer keys: sealed under the master-derived service key (version 1)
        SensitiveFields before = new SensitiveFields(Base64.getDecoder().decode(RunningService.TEST_MASTER_KEY));
        String idE = residentId(404);
        byte[] v1 = before.encrypt(idE);
        assertThat(SensitiveFields.version(v1)).isEqualTo(1);
        dangan.rows("update customer set id_number_enc = ?, id_number_hash = ? where id = ? returning id", v1, before.blindIndex(idE), e);
        dangan.rows("insert into health_fact (customer_id, kind, detail_enc, fact_key) values (?, 'allergy', ?, ?), (?, 'note', ?, ?) returning id",
                e, before.encrypt("旧过敏戊"), before.blindIndex("旧过敏戊"), f, before.encrypt("旧病史己"), before.blindIndex("旧病史己"));
        assertThat(sensitive.decrypt(v1)).isEqualTo(idE);

        // an administrator's work, named with --by
        ApiClient.asNewUser(dangan, "keys.admin", Role.ADMIN);
        Commands.Run resealed1 = Commands.run(dangan.service().settings(), "keys", "reseal", "--batch", "1", "--by", "keys.admin");
        assertThat(resealed1.status()).isZero();
        assertThat(resealed1.out()).contains("已用客户密钥重新加密 3 个值（2 位客户）").containsPattern("customer\\.id_number_enc +0 +\\d+");

        byte[] resealed = idEnc("13700000404");
        assertThat(SensitiveFields.version(resealed)).isEqualTo(2);
        assertThat(dangan.row("select customer_id from customer_key where id = ?", SensitiveFields.keyId(resealed))).containsEntry("customer_id", e);
        sensitive.forgetAll();
        assertThat(sensitive.decrypt(resealed)).isEqualTo(idE);
        assertThat(decryptAll(e)).containsExactly("旧过敏戊");
        assertThat(decryptAll(f)).containsExactly("旧病史己");
        assertThat(dangan.count("select count(*) from health_fact where get_byte(detail_enc, 0) = 1")).isZero();
        // the rejected lines' raw text belongs to no customer and stays under the service key
        // (a second run finds nothing to do)
        assertThat(Commands.run(dangan.service().settings(), "keys", "reseal", "--by", "keys.admin").out()).contains("已用客户密钥重新加密 0 个值");
        assertThat(Commands.run(dangan.service().settings(), "keys", "shred").status()).isEqualTo(2);

        // keys status --json: one row per sealed column, none left under the service key
        Commands.Run status = Commands.run(dangan.service().settings(), "keys", "status", "--json");
        com.fasterxml.jackson.databind.JsonNode columns = new com.fasterxml.jackson.databind.ObjectMapper().readTree(status.out());
        assertThat(columns.findValuesAsText("column")).contains("customer.id_number_enc", "health_fact.detail_enc");
        for (com.fasterxml.jackson.databind.JsonNode column : columns) {
            assertThat(column.get("service_key").asLong()).as(column.toString()).isZero();
        }
        // every access logged: keys status too, with its counts and no value
        assertThat(dangan.rows("select actor, detail from audit_log where action = 'read' and detail like 'dangan keys status%'"))
                .singleElement().satisfies(r -> {
                    assertThat(r.get("actor")).isEqualTo(Exposure.cliActor());
                    assertThat((String) r.get("detail")).contains("已加密的列 " + columns.size() + " 个").contains("服务密钥下的值 0 个");
                });
    }

    @Test
    void aKnownCustomerGetsValuesSealedUnderItsKey() throws Exception {
        dangan.drop("known.csv", "姓名,手机\n庚客,13700000606\n".getBytes(StandardCharsets.UTF_8));
        dangan.awaitHandled("known.csv");
        long g = customer("13700000606");
        byte[] sealed;
        sealed = Db.jdbi(dangan.service().database().dataSource()).inTransaction(h -> {
            byte[] first = sensitive.encryptFor(h, g, "api 录入的禁忌");
            byte[] second = sensitive.encryptFor(h, g, "第二条");
            assertThat(SensitiveFields.keyId(second)).isEqualTo(SensitiveFields.keyId(first)); // the customer's current key
            sensitive.forgetAll();
            assertThat(sensitive.decrypt(h, first)).isEqualTo("api 录入的禁忌"); // its own transaction sees the new key
            return first;
        });
        assertThat(dangan.count("select count(*) from customer_key where customer_id = ?", g)).isEqualTo(1);
        assertThat(sensitive.decrypt(sealed)).isEqualTo("api 录入的禁忌");
    }

    private List<String> decryptAll(long customerId) throws Exception {
        List<String> plain = new ArrayList<>();
        for (Map<String, Object> h : dangan.rows("select detail_enc from health_fact where customer_id = ? order by id", customerId)) {
            plain.add(sensitive.decrypt((byte[]) h.get("detail_enc")));
        }
        return plain;
    }

    private static byte[] uuidBytes(UUID id) {
        return ByteBuffer.allocate(16).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits()).array();
    }
}
