package io.ramcast.txn.store;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Key order and key rules shared by every {@link PartitionStore} implementation.
 *
 * <p>Keys compare as unsigned bytes, lexicographically, a shorter key before every longer key it
 * is a prefix of: the order of RocksDB's default bytewise comparator, so an in-memory store and a
 * RocksDB store scan in the same order ({@code 0x7f < 0x80 < 0xff}).
 *
 * <p>Meta keys starting with {@link #RESERVED_META_PREFIX} are the store's own (RocksDB keeps the
 * applied mark there); callers' meta keys must be non-empty and start with any other byte.
 *
 * <p>Stateless and thread-safe; no method keeps or changes its arguments.
 */
public final class Keys
{
    /** First byte of the meta keys a store reserves for its own bookkeeping. */
    public static final byte RESERVED_META_PREFIX = 0x00;

    /** Unsigned lexicographic order of byte arrays; see {@link #compare}. */
    public static final Comparator<byte[]> COMPARATOR = Keys::compare;

    /** Longest key prefix shown by {@link #toString(byte[])}, in bytes. */
    private static final int MAX_SHOWN_BYTES = 32;

    private static final char[] HEX_DIGITS = "0123456789abcdef".toCharArray();

    private Keys()
    {
    }

    /**
     * Compares two keys as unsigned bytes, lexicographically.
     *
     * @param a a key.
     * @param b another key.
     * @return negative, zero or positive as {@code a} sorts before, equal to or after {@code b}.
     */
    public static int compare(final byte[] a, final byte[] b)
    {
        return Arrays.compareUnsigned(a, b);
    }

    /**
     * @param key    a key.
     * @param prefix a prefix; the empty prefix starts every key.
     * @return whether {@code key} starts with {@code prefix}.
     */
    public static boolean startsWith(final byte[] key, final byte[] prefix)
    {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    /**
     * The smallest key after every key that starts with {@code prefix}: the exclusive upper bound
     * of a prefix scan. Trailing {@code 0xff} bytes are dropped and the last remaining byte
     * incremented, so {@code prefixEnd({0x01, 0xff}) = {0x02}}.
     *
     * @param prefix a prefix.
     * @return a new array, or null if no such key exists (the prefix is empty or all {@code 0xff}),
     * meaning the scan runs to the end of the keyspace.
     */
    public static byte[] prefixEnd(final byte[] prefix)
    {
        int last = prefix.length - 1;
        while (last >= 0 && prefix[last] == (byte)0xff)
        {
            last--;
        }
        if (last < 0)
        {
            return null;
        }
        final byte[] end = Arrays.copyOf(prefix, last + 1);
        end[last]++;
        return end;
    }

    /**
     * Checks that a caller's meta key is allowed: non-empty and not starting with
     * {@link #RESERVED_META_PREFIX}.
     *
     * @param key a meta key from a caller.
     * @throws NullPointerException     if the key is null.
     * @throws IllegalArgumentException if the key is empty or reserved.
     */
    public static void checkMetaKey(final byte[] key)
    {
        if (key.length == 0 || key[0] == RESERVED_META_PREFIX)
        {
            throw new IllegalArgumentException("meta key " + toString(key) +
                " is reserved: meta keys must be non-empty and must not start with byte 0x00");
        }
    }

    /**
     * Checks that a caller's meta scan prefix is allowed: empty (every caller meta key) or not
     * starting with {@link #RESERVED_META_PREFIX}.
     *
     * @param prefix a meta key prefix from a caller.
     * @throws NullPointerException     if the prefix is null.
     * @throws IllegalArgumentException if the prefix starts with the reserved byte.
     */
    public static void checkMetaPrefix(final byte[] prefix)
    {
        if (prefix.length > 0 && prefix[0] == RESERVED_META_PREFIX)
        {
            throw new IllegalArgumentException("meta prefix " + toString(prefix) +
                " is reserved: meta keys must not start with byte 0x00");
        }
    }

    /**
     * Renders a key for error messages: printable ASCII keys as quoted text, others as hex; at most
     * 32 bytes, followed by the full length when longer.
     *
     * @param key a key, or null.
     * @return e.g. {@code "acct/7"}, {@code 0x6b00ff}, {@code 0x (empty)} or {@code 0x0102...(40 bytes)}.
     */
    public static String toString(final byte[] key)
    {
        if (key == null)
        {
            return "null";
        }
        if (key.length == 0)
        {
            return "0x (empty)";
        }
        final int shown = Math.min(key.length, MAX_SHOWN_BYTES);
        if (isPrintable(key))
        {
            final String text = new String(key, 0, shown, java.nio.charset.StandardCharsets.US_ASCII);
            return '"' + text + '"' + (shown < key.length ? "...(" + key.length + " bytes)" : "");
        }
        final StringBuilder sb = new StringBuilder(2 + 2 * shown + 16).append("0x");
        for (int i = 0; i < shown; i++)
        {
            sb.append(HEX_DIGITS[(key[i] >> 4) & 0xf]).append(HEX_DIGITS[key[i] & 0xf]);
        }
        if (shown < key.length)
        {
            sb.append("...(").append(key.length).append(" bytes)");
        }
        return sb.toString();
    }

    private static boolean isPrintable(final byte[] key)
    {
        for (final byte b : key)
        {
            if (b < 0x20 || b > 0x7e || b == '"')
            {
                return false;
            }
        }
        return true;
    }
}
