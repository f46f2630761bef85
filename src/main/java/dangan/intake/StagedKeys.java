package dangan.intake;

import com.carrotsearch.hppc.BitMixer;
import com.carrotsearch.hppc.LongHashSet;

/**
 * Whether any two staged lines share a key (mobile, email, ID number), seen as the lines are staged: a 64-bit
 * fingerprint of each key goes into a set, and the first one already there settles it. Lines that share a key give
 * the same fingerprint, so "distinct" is never said of lines that share one; two different keys with the same
 * fingerprint (a chance of about 10⁻⁷ at a million lines) only make the merge take its general path. A file of new
 * customers whose every key is its own (the common case) lets the merge open one archive a line without grouping the
 * keys first ({@code open-alone.sql}). Memory is bounded: past {@link #MAX_KEYS} keys the set is dropped and the
 * answer is "not known to be distinct" (the general path), as after a shared key.
 */
final class StagedKeys {

    /** The most fingerprints kept (about 64 MB at the set's fill): beyond them the merge groups the keys, as before. */
    static final int MAX_KEYS = 1 << 22;

    /** A distinct offset per kind of key, so that a mobile and an email of the same text are different keys. */
    private static final long MOBILE = 0xcbf29ce484222325L;
    private static final long EMAIL = 0x84222325cbf29ce4L;
    private static final long ID_NUMBER = 0x9e3779b97f4a7c15L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private final int maxKeys;
    private LongHashSet seen = new LongHashSet();
    private boolean distinct = true;

    StagedKeys() {
        this(MAX_KEYS);
    }

    /** With a smaller bound (a test's). */
    StagedKeys(int maxKeys) {
        this.maxKeys = maxKeys;
    }

    void mobile(String mobile) {
        if (mobile != null) add(text(MOBILE, mobile));
    }

    void email(String email) {
        if (email != null) add(text(EMAIL, email));
    }

    /** The ID number's blind index (a keyed MAC: its first eight bytes are as good as any fingerprint). */
    void idHash(byte[] blindIndex) {
        if (blindIndex == null) return;
        long h = 0;
        for (int i = 0; i < Math.min(8, blindIndex.length); i++) h = (h << 8) | (blindIndex[i] & 0xff);
        add(BitMixer.mix64(h ^ ID_NUMBER));
    }

    /** True when no key was staged twice (and none was left uncounted). */
    boolean distinct() {
        return distinct;
    }

    private void add(long fingerprint) {
        if (!distinct) return;
        if (!seen.add(fingerprint) || seen.size() > maxKeys) {
            distinct = false;
            seen = null; // not needed any more: the answer is settled
        }
    }

    /** FNV-1a over the characters, mixed: the same text always gives the same fingerprint. */
    private static long text(long offset, String value) {
        long h = offset;
        for (int i = 0; i < value.length(); i++) {
            h = (h ^ value.charAt(i)) * FNV_PRIME;
        }
        return BitMixer.mix64(h);
    }
}
