package dangan.audit;

import dangan.i18n.Language;
import dangan.i18n.Localized;
import dangan.i18n.Messages;

import java.util.Collection;
import java.util.stream.Collectors;

/**
 * The words audit entries and change-register reasons share, said as people read them: staff roles as the
 * policies name them ({@code common.role.*}: 经理, 档案管理员), tiers ({@code common.tier}: A 类) and the
 * fields of an archive ({@code ingest.field.*}: 手机, 姓名); a code that has no name is shown as it is.
 */
public final class AuditText {

    private AuditText() {
    }

    /** A staff role ({@code manager}) as people read it, or the code when it names no role. */
    public static Localized role(String code) {
        return named("common.role." + code, code);
    }

    /** A tier letter as the policies name it: {@code A 类}. */
    public static Localized tier(String tier) {
        return tier == null ? Localized.of("audit.none") : Localized.of("common.tier", "tier", tier);
    }

    /** A field of an archive ({@code mobile}) as people read it, or the code when it has no name. */
    public static Localized field(String code) {
        return named("ingest.field." + code, code);
    }

    /** Fields as people read them, in the language of {@code m}, joined by its separator ({@code 手机、姓名}). */
    public static String fields(Messages m, Collection<String> codes) {
        return codes.stream().map(c -> field(c).in(m)).collect(Collectors.joining(m.text("audit.separator")));
    }

    /** A value shown as it is ({@code audit.as-is}): a name, a number, a text a person typed. */
    public static Localized asIs(Object value) {
        return Localized.of("audit.as-is", "value", value == null ? "" : String.valueOf(value));
    }

    private static Localized named(String key, String code) {
        return Messages.of(Language.ZH).has(key) ? Localized.of(key) : asIs(code);
    }
}
