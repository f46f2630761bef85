package dangan.access;

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

    public ApiProblem(int status, String message, String archiveNo, List<String> categories) {
        super(message);
        this.status = status;
        this.archiveNo = archiveNo;
        this.categories = categories == null ? List.of() : List.copyOf(categories);
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
