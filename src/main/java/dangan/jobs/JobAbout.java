package dangan.jobs;

import dangan.i18n.Messages;

/**
 * What a scheduled job does, as people read it on the console's jobs page and in {@code run-job --list}: bundle area
 * {@code jobinfo}, one key per job ({@code jobinfo.visit-plan}). The route's own {@code description} in routes/*.yaml
 * is for whoever reads the route files; it is shown only for a job the bundles do not know.
 */
public final class JobAbout {

    private JobAbout() {
    }

    public static String of(Messages messages, String job, String routeDescription) {
        String key = "jobinfo." + job;
        return messages.has(key) ? messages.text(key) : routeDescription;
    }
}
