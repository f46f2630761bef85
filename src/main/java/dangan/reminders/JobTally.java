package dangan.reminders;

import dangan.i18n.Messages;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one run of a reminder job did: the reminders it newly issued, how many were due in all (null
 * for the jobs that do not count them: staleness, completeness), and how many due ones were left out,
 * per reason ({@code sealed}, {@code service-objected}, {@code contact-objected}, {@code no-marketing-consent},
 * {@code marketing-withdrawn}), in the order the reasons are listed.
 */
public record JobTally(List<Long> issued, Long due, Map<String, Long> leftOut) {

    /** The reasons a due reminder is left out, in the order feeds and log lines name them. */
    public static final List<String> REASONS = List.of("sealed", "service-objected", "contact-objected", "no-marketing-consent", "marketing-withdrawn");

    public JobTally {
        issued = List.copyOf(issued);
        leftOut = Map.copyOf(leftOut);
    }

    public long leftOut(String reason) {
        return leftOut.getOrDefault(reason, 0L);
    }

    /** The reasons with any reminder left out, each as people read it ("15 条因无营销同意未发"), in the order of {@link #REASONS}. */
    List<String> leftOutText(Messages m) {
        List<String> text = new ArrayList<>();
        for (String reason : REASONS) {
            long n = leftOut(reason);
            if (n > 0) text.add(m.text("reminders.left-out." + reason, "count", n));
        }
        return text;
    }
}
