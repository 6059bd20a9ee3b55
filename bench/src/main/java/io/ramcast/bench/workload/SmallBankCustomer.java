package io.ramcast.bench.workload;

import io.ramcast.txn.Partitioner;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Where one SmallBank customer's three rows live: the customer id and the salts that put the
 * savings and checking rows on the partition of the account row.
 *
 * <pre>
 *  table      key                              value
 *  Accounts   sb/&lt;id&gt;/acct                    name: the id in decimal, UTF-8
 *  Savings    sb/&lt;id&gt;/sav/&lt;savingsSalt&gt;      balance in cents, i64 big-endian
 *  Checking   sb/&lt;id&gt;/chk/&lt;checkingSalt&gt;     balance in cents, i64 big-endian
 * </pre>
 *
 * <p>A customer's home partition is the owner of its account key, so hash partitioning spreads
 * customers over the partitions, and {@link #placed} picks each salt as the smallest one in
 * [0, {@value #SALT_SEARCH_LIMIT}) whose key the partitioner puts on the home partition. Then the
 * single-customer transactions (Balance, DepositChecking, TransactSavings, WriteCheck) touch one
 * partition, and the two-customer ones (Amalgamate, SendPayment) touch two whenever the customers'
 * homes differ, which with {@code n} hash partitions is a share of about {@code (n-1)/n}. The
 * search expects about {@code n} tries per row; if none of the salts works (range partitioning
 * with a split key between a customer's rows) the salt is 0 and the customer spans partitions,
 * which costs multi-partition transactions but not correctness. Placement is a pure function of
 * (id, partitioner), so every process computes the same keys.
 *
 * <p>Procedure arguments name a customer by id and salts, so a replica rebuilds the keys without
 * the partitioner:
 * <pre>
 *  +--------+-------------------+--------------------+
 *  | id i64 | savings salt u16  | checking salt u16  |     {@value #ENCODED_BYTES} bytes, big-endian
 *  +--------+-------------------+--------------------+
 * </pre>
 *
 * @param id           the customer id, at least 0; customers of a data set are 0..records-1.
 * @param savingsSalt  salt of the savings key, in [0, 65535].
 * @param checkingSalt salt of the checking key, in [0, 65535].
 */
public record SmallBankCustomer(long id, int savingsSalt, int checkingSalt)
{
    /** Size of an encoded customer reference. */
    public static final int ENCODED_BYTES = Long.BYTES + 2 * Short.BYTES;
    /** Salts tried per row before giving up on co-location. */
    public static final int SALT_SEARCH_LIMIT = 4096;
    /** Prefix of every SmallBank key. */
    public static final String KEY_PREFIX = "sb/";

    private static final int MAX_SALT = 0xFFFF;

    /**
     * @throws IllegalArgumentException if the id is negative or a salt is out of range.
     */
    public SmallBankCustomer
    {
        if (id < 0)
        {
            throw new IllegalArgumentException("customer id " + id + " is negative");
        }
        if (savingsSalt < 0 || savingsSalt > MAX_SALT || checkingSalt < 0 || checkingSalt > MAX_SALT)
        {
            throw new IllegalArgumentException("customer " + id + " salts (" + savingsSalt + ", " + checkingSalt +
                ") must be in [0, " + MAX_SALT + "]");
        }
    }

    /**
     * Places a customer's rows on the partition of its account row where a salt allows.
     *
     * @param id          the customer id, at least 0.
     * @param partitioner the cluster's partitioner.
     * @return the customer with its salts.
     */
    public static SmallBankCustomer placed(final long id, final Partitioner partitioner)
    {
        final int home = partitioner.partitionOf(accountKey(id));
        return new SmallBankCustomer(id, salt(id, "/sav/", home, partitioner), salt(id, "/chk/", home, partitioner));
    }

    private static int salt(final long id, final String table, final int home, final Partitioner partitioner)
    {
        for (int salt = 0; salt < SALT_SEARCH_LIMIT; salt++)
        {
            if (partitioner.partitionOf(key(id, table, salt)) == home)
            {
                return salt;
            }
        }
        return 0;
    }

    /**
     * @param id a customer id.
     * @return the key of its Accounts row.
     */
    public static byte[] accountKey(final long id)
    {
        return (KEY_PREFIX + id + "/acct").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] key(final long id, final String table, final int salt)
    {
        return (KEY_PREFIX + id + table + salt).getBytes(StandardCharsets.UTF_8);
    }

    /** @return the key of the Accounts row. */
    public byte[] accountKey()
    {
        return accountKey(id);
    }

    /** @return the key of the Savings row. */
    public byte[] savingsKey()
    {
        return key(id, "/sav/", savingsSalt);
    }

    /** @return the key of the Checking row. */
    public byte[] checkingKey()
    {
        return key(id, "/chk/", checkingSalt);
    }

    /** @return the value of the Accounts row: the customer's name. */
    public byte[] name()
    {
        return Long.toString(id).getBytes(StandardCharsets.UTF_8);
    }

    void encodeTo(final ByteBuffer buffer)
    {
        buffer.putLong(id).putShort((short)savingsSalt).putShort((short)checkingSalt);
    }

    /**
     * @param buffer holds at least {@value #ENCODED_BYTES} bytes at its position.
     * @return the customer read from it.
     * @throws IllegalArgumentException if the id is negative.
     */
    static SmallBankCustomer decodeFrom(final ByteBuffer buffer)
    {
        return new SmallBankCustomer(buffer.getLong(), buffer.getShort() & 0xFFFF, buffer.getShort() & 0xFFFF);
    }
}
