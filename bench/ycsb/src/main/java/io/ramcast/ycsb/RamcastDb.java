package io.ramcast.ycsb;

import io.ramcast.client.KvClient;
import io.ramcast.client.TxnOutcome;
import io.ramcast.txn.KeyValue;
import io.ramcast.txn.ReasonCode;
import io.ramcast.txn.Result;
import io.ramcast.txn.Transaction;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.config.ConfigException;
import io.ramcast.txn.config.RangePartitioner;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.Vector;

/**
 * The YCSB binding: YCSB's operations as transactions of a {@link KvClient}.
 *
 * <p>A record is one key, {@code <table>/<key>} in UTF-8, whose value holds every field
 * ({@link Fields}). {@code insert} puts it whole; {@code read} gets it (and keeps the fields asked
 * for); {@code update} reads it and writes it back merged with a compare-and-set on the value read,
 * again from the read while another writer got in between (so concurrent updates of different
 * fields of one record lose nothing); {@code delete} deletes it. {@code scan} reads up to N records
 * from a key on in key order: that needs range partitioning (with hash partitioning, records next to
 * each other in key order live on every partition, and a scan must stay within one), and a scan that
 * crosses a split key is read partition by partition. Each call runs with {@link KvClient#run}, so an
 * unknown outcome is retried with the same request id (at most one execution) until the deadline.
 *
 * <p>Properties ({@code -p name=value}):
 * <ul>
 *   <li>{@code ramcast.config}: the cluster config file (required).</li>
 *   <li>{@code ramcast.clientId}: the client id (default: leased from the config's clients range).</li>
 *   <li>{@code ramcast.deadlineMs}: how long one operation may take, retries included (default
 *   {@link KvClient#defaultRunDeadline()}).</li>
 * </ul>
 * One {@link KvClient} serves every YCSB thread of the process (it is thread-safe): the threads
 * share its window of transactions in flight and its client id.
 */
public final class RamcastDb extends DB
{
    /** Property: the cluster config file. */
    public static final String CONFIG = "ramcast.config";
    /** Property: the client id. */
    public static final String CLIENT_ID = "ramcast.clientId";
    /** Property: per-operation deadline, ms. */
    public static final String DEADLINE_MS = "ramcast.deadlineMs";

    private static final Logger LOG = LoggerFactory.getLogger(RamcastDb.class);
    /** Compare-and-set attempts of one update before it reports an error. */
    private static final int UPDATE_ATTEMPTS = 32;

    /** The client every thread shares, and how many threads hold it. */
    private static KvClient shared;
    private static int holders;

    private KvClient client;
    private Duration deadline;
    private RangePartitioner ranges;

    @Override
    public void init() throws DBException
    {
        final Properties p = getProperties();
        final String configFile = p.getProperty(CONFIG);
        if (configFile == null || configFile.isBlank())
        {
            throw new DBException("set -p " + CONFIG + "=<cluster config file> (e.g. config/local.yaml)");
        }
        final ClusterConfig config;
        try
        {
            config = ClusterConfig.load(Path.of(configFile));
        }
        catch (final ConfigException ex)
        {
            throw new DBException(ex.getMessage(), ex);
        }
        client = acquire(config, p.getProperty(CLIENT_ID));
        deadline = p.getProperty(DEADLINE_MS) != null ? Duration.ofMillis(Long.parseLong(p.getProperty(DEADLINE_MS))) :
            client.defaultRunDeadline();
        ranges = config.partitioner() instanceof RangePartitioner r ? r : null;
    }

    private static synchronized KvClient acquire(final ClusterConfig config, final String clientId) throws DBException
    {
        if (shared == null)
        {
            try
            {
                shared = clientId != null ? KvClient.connect(config, Integer.parseInt(clientId)) : KvClient.connect(config);
            }
            catch (final RuntimeException ex)
            {
                throw new DBException("cannot connect to cluster '" + config.clusterName() + "': " + ex.getMessage(), ex);
            }
            LOG.info("connected to cluster '{}' as client {}", config.clusterName(), shared.clientId());
        }
        holders++;
        return shared;
    }

    @Override
    public void cleanup()
    {
        synchronized (RamcastDb.class)
        {
            if (client != null && --holders == 0)
            {
                shared.close();
                shared = null;
            }
            client = null;
        }
    }

    @Override
    public Status read(final String table, final String key, final Set<String> fields,
        final Map<String, ByteIterator> result)
    {
        final TxnOutcome outcome = client.run(Transaction.builder().get(recordKey(table, key)).build(), deadline);
        if (!(outcome instanceof TxnOutcome.Committed c))
        {
            return failed("read", key, outcome);
        }
        final byte[] value = ((Result.Value)c.results().get(0)).value();
        if (value == null)
        {
            return Status.NOT_FOUND;
        }
        Fields.decodeInto(value, fields, result);
        return Status.OK;
    }

    @Override
    public Status scan(final String table, final String startKey, final int recordCount, final Set<String> fields,
        final Vector<HashMap<String, ByteIterator>> result)
    {
        if (ranges == null)
        {
            return new Status("NOT_IMPLEMENTED", "scan needs range partitioning (partitioning: range with split " +
                "keys); with hash partitioning records next in key order live on different partitions");
        }
        byte[] from = recordKey(table, startKey);
        final byte[] tableEnd = (table + "0").getBytes(StandardCharsets.UTF_8); // the key after every "<table>/..."
        int left = recordCount;
        while (left > 0)
        {
            final int p = ranges.partitionOf(from);
            final byte[] split = ranges.upperBound(p);
            final byte[] to = split != null && Arrays.compareUnsigned(split, tableEnd) < 0 ? split : tableEnd;
            if (Arrays.compareUnsigned(from, to) >= 0)
            {
                break;
            }
            final TxnOutcome outcome = client.run(Transaction.builder().scan(from, to, left).build(), deadline);
            if (!(outcome instanceof TxnOutcome.Committed c))
            {
                return failed("scan", startKey, outcome);
            }
            for (final KeyValue kv : ((Result.Entries)c.results().get(0)).entries())
            {
                final HashMap<String, ByteIterator> record = new HashMap<>();
                Fields.decodeInto(kv.value(), fields, record);
                result.add(record);
                left--;
            }
            if (to == tableEnd)
            {
                break;
            }
            from = to;
        }
        return Status.OK;
    }

    @Override
    public Status update(final String table, final String key, final Map<String, ByteIterator> values)
    {
        final byte[] k = recordKey(table, key);
        final Map<String, byte[]> changes = Fields.materialize(values);
        for (int attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++)
        {
            final TxnOutcome read = client.run(Transaction.builder().get(k).build(), deadline);
            if (!(read instanceof TxnOutcome.Committed c))
            {
                return failed("update (read)", key, read);
            }
            final byte[] old = ((Result.Value)c.results().get(0)).value();
            if (old == null)
            {
                return Status.NOT_FOUND;
            }
            final TxnOutcome write = client.run(Transaction.builder().compareAndSet(k, old, Fields.merge(old, changes))
                .build(), deadline);
            if (write instanceof TxnOutcome.Committed)
            {
                return Status.OK;
            }
            if (!(write instanceof TxnOutcome.NotCommitted n) || n.reason() != ReasonCode.CONDITION_FAILED)
            {
                return failed("update", key, write);
            }
        }
        LOG.warn("update of {}: the record changed under {} attempts in a row", key, UPDATE_ATTEMPTS);
        return Status.UNEXPECTED_STATE;
    }

    @Override
    public Status insert(final String table, final String key, final Map<String, ByteIterator> values)
    {
        final TxnOutcome outcome = client.run(Transaction.builder().put(recordKey(table, key),
            Fields.encode(Fields.materialize(values))).build(), deadline);
        return outcome instanceof TxnOutcome.Committed ? Status.OK : failed("insert", key, outcome);
    }

    @Override
    public Status delete(final String table, final String key)
    {
        final TxnOutcome outcome = client.run(Transaction.builder().delete(recordKey(table, key)).build(), deadline);
        return outcome instanceof TxnOutcome.Committed ? Status.OK : failed("delete", key, outcome);
    }

    static byte[] recordKey(final String table, final String key)
    {
        return (table + '/' + key).getBytes(StandardCharsets.UTF_8);
    }

    private static Status failed(final String operation, final String key, final TxnOutcome outcome)
    {
        LOG.warn("{} of {}: {}", operation, key, outcome);
        return outcome instanceof TxnOutcome.Unknown ? Status.SERVICE_UNAVAILABLE : Status.ERROR;
    }
}
