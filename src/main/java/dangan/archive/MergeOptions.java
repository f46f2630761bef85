package dangan.archive;

import dangan.i18n.Language;
import dangan.i18n.Messages;

import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

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
 * @param zone          the time zone whose day a contact confirmation is kept by (D-30, dangan.timezone): an
 *                      archive confirmed today is not written again only to confirm it once more
 * @param linesAlone    what the staging saw when no two lines share a mobile, an email or an ID number (and which
 *                      line numbers it skipped); null when not known: when none of the lines matches a known
 *                      archive either, each opens its own (open-alone.sql), without grouping the keys first
 */
public record MergeOptions(YearMonth openedIn, String reason, boolean lowTrust, boolean strictConsent,
                           TierAtOpening tiers, boolean keepStaging, Messages messages, ZoneId zone,
                           LinesAlone linesAlone) {

    /** A trusted source, no strict consent, no tiers at opening, warnings in Chinese, days in UTC. */
    public static MergeOptions of(YearMonth openedIn, String reason) {
        return new MergeOptions(openedIn, reason, false, false, null, false, Messages.of(Language.ZH), ZoneOffset.UTC, null);
    }

    public MergeOptions zone(ZoneId zone) {
        return new MergeOptions(openedIn, reason, lowTrust, strictConsent, tiers, keepStaging, messages, zone, linesAlone);
    }

    /** The start of today in {@link #zone}: a contact confirmed since then is confirmed today. */
    OffsetDateTime today() {
        return ZonedDateTime.now(zone).truncatedTo(ChronoUnit.DAYS).toOffsetDateTime();
    }

    public MergeOptions messages(Messages messages) {
        return new MergeOptions(openedIn, reason, lowTrust, strictConsent, tiers, keepStaging, messages, zone, linesAlone);
    }

    public MergeOptions keepStaging(boolean keep) {
        return new MergeOptions(openedIn, reason, lowTrust, strictConsent, tiers, keep, messages, zone, linesAlone);
    }

    public MergeOptions lowTrust(boolean lowTrust) {
        return new MergeOptions(openedIn, reason, lowTrust, strictConsent, tiers, keepStaging, messages, zone, linesAlone);
    }

    public MergeOptions strictConsent(boolean strictConsent) {
        return new MergeOptions(openedIn, reason, lowTrust, strictConsent, tiers, keepStaging, messages, zone, linesAlone);
    }

    public MergeOptions tiers(TierAtOpening tiers) {
        return new MergeOptions(openedIn, reason, lowTrust, strictConsent, tiers, keepStaging, messages, zone, linesAlone);
    }

    public MergeOptions linesAlone(LinesAlone lines) {
        return new MergeOptions(openedIn, reason, lowTrust, strictConsent, tiers, keepStaging, messages, zone, lines);
    }

    /** The tiers at opening that apply: none for a low-trust source. */
    TierAtOpening tiersAtOpening() {
        return lowTrust ? null : tiers;
    }
}
