package dangan.archive;

import dangan.i18n.Language;
import dangan.i18n.Messages;

import java.time.YearMonth;

/**
 * How {@link ArchiveMerge} files one ingest.
 *
 * @param openedIn      the month new archives are numbered in (D-14)
 * @param reason        what the change register says about why the data changed
 * @param lowTrust      the source is marked low-trust: its changes and new archives wait for review (D-16)
 * @param strictConsent sensitive values (health, full ID number) of customers without a recorded consent to
 *                      sensitive data wait in the review queue instead of being filed
 * @param tiers         when not null (the tiers flow is on), archives whose tier is known when they are opened
 *                      get it in the same insert (see {@link TierAtOpening}); ignored for a low-trust source,
 *                      whose new archives wait for review as a whole, without a tier
 * @param keepStaging   the staged rows and their field changes stay in {@code intake_row} / {@code intake_change}
 *                      after the merge, for a check that reads them and then rolls the whole transaction back
 * @param messages      the language the merge's warnings and reasons are said in (area {@code merge}; see
 *                      {@link MergeTexts})
 */
public record MergeOptions(YearMonth openedIn, String reason, boolean lowTrust, boolean strictConsent,
                           TierAtOpening tiers, boolean keepStaging, Messages messages) {

    /** A trusted source, no strict consent, no tiers at opening, warnings in Chinese. */
    public static MergeOptions of(YearMonth openedIn, String reason) {
        return new MergeOptions(openedIn, reason, false, false, null, false, Messages.of(Language.ZH));
    }

    public MergeOptions messages(Messages messages) {
        return new MergeOptions(openedIn, reason, lowTrust, strictConsent, tiers, keepStaging, messages);
    }

    public MergeOptions keepStaging(boolean keep) {
        return new MergeOptions(openedIn, reason, lowTrust, strictConsent, tiers, keep, messages);
    }

    public MergeOptions lowTrust(boolean lowTrust) {
        return new MergeOptions(openedIn, reason, lowTrust, strictConsent, tiers, keepStaging, messages);
    }

    public MergeOptions strictConsent(boolean strictConsent) {
        return new MergeOptions(openedIn, reason, lowTrust, strictConsent, tiers, keepStaging, messages);
    }

    public MergeOptions tiers(TierAtOpening tiers) {
        return new MergeOptions(openedIn, reason, lowTrust, strictConsent, tiers, keepStaging, messages);
    }

    /** The tiers at opening that apply: none for a low-trust source. */
    TierAtOpening tiersAtOpening() {
        return lowTrust ? null : tiers;
    }
}
