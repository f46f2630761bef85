package dangan.access;

import dangan.i18n.Language;
import dangan.i18n.Localized;
import dangan.i18n.Messages;
import dangan.rules.RuleException;

import java.util.List;

/**
 * A request that cannot be served as asked: the routeConfiguration {@code api} answers it with
 * {@code status} and {@code {"error": message}}; 401 and 403 are also written to the audit log,
 * with the archive and categories that were asked for when they are known.
 */
public class ApiProblem extends RuntimeException {

    private final int status;
    private final String archiveNo;
    private final List<String> categories;
    private final String key;
    private final Object[] arguments;

    public ApiProblem(int status, String message, String archiveNo, List<String> categories) {
        this(status, message, archiveNo, categories, null, new Object[0]);
    }

    private ApiProblem(int status, String message, String archiveNo, List<String> categories, String key, Object[] arguments) {
        super(message);
        this.status = status;
        this.archiveNo = archiveNo;
        this.categories = categories == null ? List.of() : List.copyOf(categories);
        this.key = key;
        this.arguments = arguments;
    }

    /**
     * A problem whose answer comes from the message bundles (area {@code api}), in the language the
     * request asks for ({@code Accept-Language}) or the service's ({@code dangan.locale}); its
     * {@link #getMessage()} is the English text.
     */
    public static ApiProblem localized(int status, String key, Object... namesAndValues) {
        return new ApiProblem(status, Messages.of(Language.EN).text(key, roleNames(Messages.of(Language.EN), namesAndValues)), null, null,
                key, namesAndValues);
    }

    /** 403 for an archive and the categories the caller asked for but may not see, said from the bundles (area {@code api}). */
    public static ApiProblem forbiddenFor(String archiveNo, List<String> categories, String key, Object... namesAndValues) {
        return new ApiProblem(403, Messages.of(Language.EN).text(key, namesAndValues), archiveNo, categories, key, namesAndValues);
    }

    /** The answer's text in a language: from the bundles when the problem has a key, else its message as written. */
    public String message(Messages messages) {
        return key == null ? getMessage() : messages.text(key, roleNames(messages, arguments));
    }

    /**
     * An argument named {@code role} holds a staff role's code: the answer names it as people do ({@code common.role.*}: 前台, 经理).
     * An argument that is a {@link Localized}, or a list of them (several problems at once), is said in the same language,
     * a list joined by {@code api.separator}.
     */
    static Object[] roleNames(Messages messages, Object[] namesAndValues) {
        Object[] shown = namesAndValues.clone();
        for (int i = 1; i < shown.length; i += 2) {
            if (shown[i] instanceof Localized l) shown[i] = l.in(messages);
            else if (shown[i] instanceof List<?> list && !list.isEmpty() && list.stream().allMatch(Localized.class::isInstance)) {
                shown[i] = String.join(messages.text("api.separator"), list.stream().map(l -> ((Localized) l).in(messages)).toList());
            }
        }
        for (int i = 0; i + 1 < shown.length; i += 2) {
            if ("role".equals(shown[i]) && shown[i + 1] != null && messages.has("common.role." + shown[i + 1])) {
                shown[i + 1] = messages.text("common.role." + shown[i + 1]);
            }
        }
        return shown;
    }

    /**
     * The HTTP answer to a refusal of the domain's rules: the one place where they become statuses
     * (invalid 400, not permitted 403 — audited as denied like every 403 —, not found 404, conflict 409).
     */
    public static ApiProblem of(RuleException refusal) {
        int status = refusal instanceof RuleException.Invalid ? 400
                : refusal instanceof RuleException.NotPermitted ? 403
                : refusal instanceof RuleException.NotFound ? 404
                : 409; // RuleException.Conflict: the kinds are sealed
        ApiProblem problem = new ApiProblem(status, refusal.getMessage(), null, null, refusal.key(), refusal.arguments());
        problem.initCause(refusal);
        return problem;
    }

    public static ApiProblem badRequest(String message) {
        return new ApiProblem(400, message, null, null);
    }

    public static ApiProblem unauthorized(String message) {
        return new ApiProblem(401, message, null, null);
    }

    public static ApiProblem forbidden(String message) {
        return new ApiProblem(403, message, null, null);
    }

    /** 403 for an archive and the categories the caller asked for but may not see. */
    public static ApiProblem forbidden(String message, String archiveNo, List<String> categories) {
        return new ApiProblem(403, message, archiveNo, categories);
    }

    public static ApiProblem notFound(String message) {
        return new ApiProblem(404, message, null, null);
    }

    public static ApiProblem conflict(String message) {
        return new ApiProblem(409, message, null, null);
    }

    public int status() {
        return status;
    }

    public String archiveNo() {
        return archiveNo;
    }

    public List<String> categories() {
        return categories;
    }
}
