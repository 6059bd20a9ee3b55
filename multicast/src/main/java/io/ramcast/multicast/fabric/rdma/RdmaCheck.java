package io.ramcast.multicast.fabric.rdma;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.function.Supplier;

import io.ramcast.multicast.FabricIdleStrategy;
import io.ramcast.multicast.fabric.Fabric;
import io.ramcast.multicast.fabric.FabricCredentials;
import io.ramcast.multicast.fabric.FabricListener;
import io.ramcast.multicast.fabric.LocalRegion;
import io.ramcast.multicast.fabric.RemoteRegion;
import io.ramcast.multicast.fabric.WriteResult;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The first-run checks of the {@code rdma} fabric on one RDMA host: two {@link RdmaFabric}
 * endpoints in this process, an <em>owner</em> (process {@value #OWNER_ID}, which listens on the
 * given address and port and holds a server's credentials) and a <em>writer</em> (process
 * {@value #WRITER_ID}, which connects to it with a client's credentials), authenticated with
 * secrets drawn at random for the run, exercise the paths a cluster relies on. Each step is
 * bounded in count and time and reported PASS or FAIL with its numbers ({@link StepName}):
 * <ol>
 *   <li>handshake stress: connect, write, close, over and over;</li>
 *   <li>whole-write torture: self-validating writes of many sizes, every landed byte checked;</li>
 *   <li>revocation timing: how soon a revoked writer learns it, and that nothing lands after;</li>
 *   <li>failure detection: how soon the owner reports a closed writer down.</li>
 * </ol>
 *
 * <p>Threading and waiting: {@link #run()} drives both endpoints on the calling thread, each pass
 * calling both {@code doWork()} and checking the owner's region; after a pass without work it backs
 * off (a few spins and yields, then parks from 1 µs doubling to 100 µs), so it
 * never busy-spins and its timings are resolved to about that park.
 *
 * <p>Over DiSNI ({@link #overDisni}) the endpoints' verbs are opened as {@link RdmaFabric#open} opens
 * them; tests hand in-memory verbs to the package-private constructor.
 */
public final class RdmaCheck
{
    /** The owner's process id: it listens and owns the regions. */
    public static final int OWNER_ID = 0;
    /** The writer's process id: it connects (no listen address) and writes. */
    public static final int WRITER_ID = 1;
    /** The cluster name the run's proofs bind. */
    public static final String CLUSTER = "rdma-check";
    /** Records of the handshake stress and torture go here (lane 0). */
    static final int RECORD_REGION_ID = 1;
    /** The region whose permission is revoked: the leader stream's id, so it has a lane of its own. */
    static final int REVOKED_REGION_ID = RdmaFabricOptions.LEADER_STREAM_REGION_ID;
    /** Size of the revoked region. */
    static final int REVOKED_REGION_BYTES = 4096;
    /** Torture writes in flight at once, each in a slot of the record region. */
    static final int SLOT_COUNT = 8;
    /** Length of the record each handshake cycle writes. */
    static final int HANDSHAKE_RECORD_BYTES = 64;
    /** The longest park of the idle back-off. */
    static final long MAX_PARK_NS = 100_000L;

    private static final long NULL_NS = Long.MIN_VALUE;
    private static final SecureRandom SECRETS = new SecureRandom();

    /** The steps, in the order they run. */
    public enum StepName
    {
        /**
         * {@link Config#cycles()} times: a new writer starts, its handle to the owner's region becomes
         * READY, one record lands whole, the writer closes and the owner reports it down. Numbers:
         * {@code cycles}, {@code readyMinUs}, {@code readyMedianUs}, {@code readyMaxUs} (time from
         * the writer's {@code start()} to READY: connection manager, queue pairs, authenticated hellos).
         */
        HANDSHAKE_STRESS("handshake stress"),
        /**
         * Self-validating records ({@link RdmaCheckRecord}) of every size of a plan from 8 bytes to
         * {@link Config#maxWriteBytes()} and of random sizes, eight in flight; the owner
         * checks every byte of each once its trailer validates; a mismatch, or a record not whole
         * within {@link Config#landTimeoutNs()}, fails it naming the size and offset. Runs until
         * the plan is done and {@link Config#tortureWrites()} writes or
         * {@link Config#tortureDurationNs()} are reached. Numbers: {@code writes}, {@code bytes},
         * {@code distinctSizes}, {@code maxSizeBytes}, {@code writesPerSecond}, {@code mibPerSecond},
         * {@code gbitPerSecond}, {@code backPressure}.
         */
        WRITE_TORTURE("whole-write torture"),
        /**
         * A word lands in the revoked region; the owner revokes the writer; the writer keeps writing
         * until it sees the rejection (REJECTED at issue, or the handle FAILED by a remote access
         * error); the region must not change after {@code revoke()} returned; a write on the
         * writer's other lane still lands; after grant and reset a write lands again. Numbers:
         * {@code revokeCallUs}, {@code rejectionUs}, {@code listenerUs}, {@code writesAfterRevoke},
         * {@code regrantUs}.
         */
        REVOCATION("revocation timing"),
        /**
         * The writer closes; the time until the owner reports it down, which must be within the
         * connect timeout. Numbers: {@code peerDownUs}, {@code connectTimeoutMs}.
         */
        FAILURE_DETECTION("failure detection");

        private final String title;

        StepName(final String title)
        {
            this.title = title;
        }

        /** @return the step's name as the report prints it. */
        public String title()
        {
            return title;
        }
    }

    /**
     * The outcome of one step.
     *
     * @param name    the step.
     * @param passed  whether it passed.
     * @param numbers what it measured, by key (see {@link StepName}), in the order measured.
     * @param detail  one line: the numbers in words, or what failed, naming size, offset or cycle.
     */
    public record Step(StepName name, boolean passed, Map<String, Double> numbers, String detail)
    {
        /** Copies the numbers. */
        public Step
        {
            Objects.requireNonNull(name, "name");
            numbers = Collections.unmodifiableMap(new LinkedHashMap<>(numbers));
            Objects.requireNonNull(detail, "detail");
        }

        /**
         * @param key a number's key.
         * @return its value.
         * @throws IllegalArgumentException if the step did not measure it.
         */
        public double number(final String key)
        {
            final Double value = numbers.get(key);
            if (null == value)
            {
                throw new IllegalArgumentException(name + " has no number " + key + "; it has " + numbers.keySet());
            }
            return value;
        }
    }

    /**
     * The outcome of a run.
     *
     * @param setting what ran where: addresses, device, seed, timeouts.
     * @param steps   every step, in {@link StepName} order.
     */
    public record Result(String setting, List<Step> steps)
    {
        /** Copies the steps. */
        public Result
        {
            steps = List.copyOf(steps);
        }

        /** @return whether every step passed. */
        public boolean passed()
        {
            return steps.stream().allMatch(Step::passed);
        }

        /**
         * @param name a step.
         * @return its outcome.
         */
        public Step step(final StepName name)
        {
            return steps.stream().filter(step -> step.name() == name).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no step " + name));
        }

        /** @return the text report: the setting, one line per step, and the verdict. */
        public String report()
        {
            final StringBuilder sb = new StringBuilder("rdma-check: ").append(setting).append('\n');
            final List<String> failed = new ArrayList<>();
            for (final Step step : steps)
            {
                sb.append(String.format(Locale.ROOT, "%s  %-19s  %s%n", step.passed() ? "PASS" : "FAIL",
                    step.name().title(), step.detail()));
                if (!step.passed())
                {
                    failed.add(step.name().title());
                }
            }
            sb.append(failed.isEmpty() ? "rdma-check: all " + steps.size() + " steps PASS" :
                "rdma-check: " + failed.size() + " of " + steps.size() + " steps FAILED: " + String.join(", ", failed));
            return sb.toString();
        }
    }

    /** What to check, and the bounds; build with {@link #builder(InetAddress)}. Immutable. */
    public static final class Config
    {
        /** Default {@link #port()}. */
        public static final int DEFAULT_PORT = 19870;
        /** Default {@link #cycles()}. */
        public static final int DEFAULT_CYCLES = 50;
        /** Most {@link #cycles()}. */
        public static final int MAX_CYCLES = 10_000;
        /** Default {@link #maxWriteBytes()}: 64 KiB, well above a 4096-byte path MTU. */
        public static final int DEFAULT_MAX_WRITE_BYTES = 64 * 1024;
        /** Least {@link #maxWriteBytes()}. */
        public static final int MIN_MAX_WRITE_BYTES = 64;
        /** Most {@link #maxWriteBytes()}. */
        public static final int MAX_MAX_WRITE_BYTES = 1 << 20;
        /** Default {@link #tortureWrites()}. */
        public static final int DEFAULT_TORTURE_WRITES = 100_000;
        /** Most {@link #tortureWrites()} (sequences stay below 2^31). */
        public static final int MAX_TORTURE_WRITES = 100_000_000;
        /** Default {@link #tortureDurationNs()}: 5 s. */
        public static final long DEFAULT_TORTURE_DURATION_NS = TimeUnit.SECONDS.toNanos(5);
        /** Default {@link #timeoutNs()}: 10 s. */
        public static final long DEFAULT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
        /** Default {@link #landTimeoutNs()}: 1 s. */
        public static final long DEFAULT_LAND_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(1);

        private final InetAddress address;
        private final int port;
        private final String deviceName;
        private final int cycles;
        private final int maxWriteBytes;
        private final int tortureWrites;
        private final long tortureDurationNs;
        private final long timeoutNs;
        private final long landTimeoutNs;
        private final long connectTimeoutNs;
        private final long seed;

        private Config(final Builder b)
        {
            this.address = b.address;
            this.port = b.port;
            this.deviceName = b.deviceName;
            this.cycles = b.cycles;
            this.maxWriteBytes = b.maxWriteBytes;
            this.tortureWrites = b.tortureWrites;
            this.tortureDurationNs = b.tortureDurationNs;
            this.timeoutNs = b.timeoutNs;
            this.landTimeoutNs = b.landTimeoutNs;
            this.connectTimeoutNs = b.connectTimeoutNs;
            this.seed = b.seed;
        }

        /**
         * @param address the IPv4 address of the RDMA device's interface on this host.
         * @return a builder with the defaults and a random seed.
         */
        public static Builder builder(final InetAddress address)
        {
            return new Builder(address);
        }

        /** @return the IPv4 address both endpoints use (the owner listens on it). */
        public InetAddress address()
        {
            return address;
        }

        /** @return the port the owner listens on; the writer connects from a port the connection manager picks. */
        public int port()
        {
            return port;
        }

        /** @return the RDMA device that must be present, or null for any. */
        public String deviceName()
        {
            return deviceName;
        }

        /** @return connect / write / close cycles of the handshake stress. */
        public int cycles()
        {
            return cycles;
        }

        /** @return the largest torture write, a multiple of 8. */
        public int maxWriteBytes()
        {
            return maxWriteBytes;
        }

        /** @return the torture stops once it issued this many writes (after its size plan). */
        public int tortureWrites()
        {
            return tortureWrites;
        }

        /** @return the torture stops issuing after this long (after its size plan). */
        public long tortureDurationNs()
        {
            return tortureDurationNs;
        }

        /** @return how long a step waits for a handle READY, a rejection or a peer reported down. */
        public long timeoutNs()
        {
            return timeoutNs;
        }

        /** @return how long a record may take, from its issue, to land whole. */
        public long landTimeoutNs()
        {
            return landTimeoutNs;
        }

        /** @return the endpoints' {@link RdmaFabricOptions#connectTimeoutNs()}. */
        public long connectTimeoutNs()
        {
            return connectTimeoutNs;
        }

        /** @return the seed of the record sizes and contents. */
        public long seed()
        {
            return seed;
        }

        /** Builds a {@link Config}; not thread-safe. */
        public static final class Builder
        {
            private final InetAddress address;
            private int port = DEFAULT_PORT;
            private String deviceName;
            private int cycles = DEFAULT_CYCLES;
            private int maxWriteBytes = DEFAULT_MAX_WRITE_BYTES;
            private int tortureWrites = DEFAULT_TORTURE_WRITES;
            private long tortureDurationNs = DEFAULT_TORTURE_DURATION_NS;
            private long timeoutNs = DEFAULT_TIMEOUT_NS;
            private long landTimeoutNs = DEFAULT_LAND_TIMEOUT_NS;
            private long connectTimeoutNs = RdmaFabricOptions.DEFAULT_CONNECT_TIMEOUT_NS;
            private long seed = new SplittableRandom().nextLong();

            private Builder(final InetAddress address)
            {
                this.address = address;
            }

            /** @param value see {@link Config#port()}. @return this. */
            public Builder port(final int value)
            {
                port = value;
                return this;
            }

            /** @param value see {@link Config#deviceName()}; null or blank for any. @return this. */
            public Builder deviceName(final String value)
            {
                deviceName = null == value || value.isBlank() ? null : value.strip();
                return this;
            }

            /** @param value see {@link Config#cycles()}. @return this. */
            public Builder cycles(final int value)
            {
                cycles = value;
                return this;
            }

            /** @param value see {@link Config#maxWriteBytes()}. @return this. */
            public Builder maxWriteBytes(final int value)
            {
                maxWriteBytes = value;
                return this;
            }

            /** @param value see {@link Config#tortureWrites()}. @return this. */
            public Builder tortureWrites(final int value)
            {
                tortureWrites = value;
                return this;
            }

            /** @param value see {@link Config#tortureDurationNs()}. @return this. */
            public Builder tortureDurationNs(final long value)
            {
                tortureDurationNs = value;
                return this;
            }

            /** @param value see {@link Config#timeoutNs()}. @return this. */
            public Builder timeoutNs(final long value)
            {
                timeoutNs = value;
                return this;
            }

            /** @param value see {@link Config#landTimeoutNs()}. @return this. */
            public Builder landTimeoutNs(final long value)
            {
                landTimeoutNs = value;
                return this;
            }

            /** @param value see {@link Config#connectTimeoutNs()}. @return this. */
            public Builder connectTimeoutNs(final long value)
            {
                connectTimeoutNs = value;
                return this;
            }

            /** @param value see {@link Config#seed()}. @return this. */
            public Builder seed(final long value)
            {
                seed = value;
                return this;
            }

            /**
             * @return the config.
             * @throws IllegalArgumentException naming the first field that breaks its rule.
             */
            public Config build()
            {
                if (!(address instanceof Inet4Address) || address.isAnyLocalAddress() || address.isMulticastAddress())
                {
                    throw new IllegalArgumentException("address=" +
                        (null == address ? null : address.getHostAddress()) + " must be the IPv4 address of the " +
                        "RDMA interface (DiSNI 2.1 takes IPv4 only; not the wildcard, not multicast)");
                }
                inRange("port", port, 1, 65_535);
                inRange("cycles", cycles, 1, MAX_CYCLES);
                inRange("maxWriteBytes", maxWriteBytes, MIN_MAX_WRITE_BYTES, MAX_MAX_WRITE_BYTES);
                if ((maxWriteBytes & 7) != 0)
                {
                    throw new IllegalArgumentException("maxWriteBytes=" + maxWriteBytes + " must be a multiple of 8");
                }
                inRange("tortureWrites", tortureWrites, 1, MAX_TORTURE_WRITES);
                positive("tortureDurationNs", tortureDurationNs);
                positive("timeoutNs", timeoutNs);
                positive("landTimeoutNs", landTimeoutNs);
                positive("connectTimeoutNs", connectTimeoutNs);
                return new Config(this);
            }

            private static void inRange(final String name, final long value, final long min, final long max)
            {
                if (value < min || value > max)
                {
                    throw new IllegalArgumentException(name + "=" + value + " must be in [" + min + ", " + max + "]");
                }
            }

            private static void positive(final String name, final long value)
            {
                if (value <= 0)
                {
                    throw new IllegalArgumentException(name + "=" + value + " must be positive");
                }
            }
        }
    }

    private final Config config;
    private final IntFunction<Verbs> verbsFactory;
    /** The locked-memory limit each endpoint checks its need against at start (the process's, over DiSNI). */
    private long lockedMemoryLimit;
    private final NanoClock clock;
    private final FabricIdleStrategy idle = new FabricIdleStrategy(LockSupport::parkNanos, 1_000L, MAX_PARK_NS);
    private final SplittableRandom random;
    private final RdmaCheckRecord records;
    private final byte[] pool;
    private final int slotBytes;
    private final int stagingBytes;
    private final byte[] serverSecret = new byte[FabricCredentials.MIN_SECRET_BYTES];
    private final byte[] clientSecret = new byte[FabricCredentials.MIN_SECRET_BYTES];

    private RdmaFabric owner;
    private LocalRegion recordRegion;
    private LocalRegion revokedRegion;
    private int ownerPeerDowns;
    private long ownerPeerDownAtNs = NULL_NS;

    private RdmaFabric writer;
    private int writerPeerDowns;
    private long writerRejectedAtNs = NULL_NS;
    private long nextSequence = 1;

    /**
     * @param config       what to check.
     * @param verbsFactory opens the verbs of the endpoint of a process id; each fabric owns and closes its own.
     * @param clock        the time source of the measurements and deadlines.
     */
    RdmaCheck(final Config config, final IntFunction<Verbs> verbsFactory, final NanoClock clock)
    {
        this.lockedMemoryLimit = Long.MAX_VALUE;
        this.config = Objects.requireNonNull(config, "config");
        this.verbsFactory = Objects.requireNonNull(verbsFactory, "verbsFactory");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = new SplittableRandom(config.seed());
        this.slotBytes = config.maxWriteBytes();
        this.stagingBytes = Math.max(RdmaFabricOptions.DEFAULT_STAGING_BYTES, 2 * slotBytes);
        this.records = new RdmaCheckRecord(slotBytes);
        this.pool = new byte[2 * slotBytes];
        random.nextBytes(pool);
        SECRETS.nextBytes(serverSecret);
        SECRETS.nextBytes(clientSecret);
        while (Arrays.equals(serverSecret, clientSecret))
        {
            SECRETS.nextBytes(clientSecret);
        }
    }

    /**
     * The checks over DiSNI, each endpoint's verbs opened as {@link RdmaFabric#open} opens them
     * (which probes the host first, {@link RdmaEnvironment#probe}).
     *
     * @param config what to check.
     * @return the check, not run.
     */
    public static RdmaCheck overDisni(final Config config)
    {
        final RdmaFabricOptions probeOptions = RdmaFabricOptions.builder()
            .deviceName(config.deviceName())
            .connectTimeoutNs(config.connectTimeoutNs())
            .build();
        final RdmaCheck check = new RdmaCheck(config, selfId -> RdmaFabric.openVerbs(selfId, probeOptions),
            SystemNanoClock.INSTANCE);
        check.lockedMemoryLimit = RdmaEnvironment.processLockedMemoryLimit();
        return check;
    }

    /**
     * Runs every step in order, then closes both endpoints. Blocks the calling thread for the run
     * (seconds to a minute with the defaults); every wait is bounded by the config's timeouts. A
     * step stopped by an exception (the owner cannot listen, a fabric's agent error) fails with
     * the exception's message; if the owner cannot start, every step fails naming why.
     *
     * @return the outcome of every step.
     */
    public Result run()
    {
        final String setting = setting();
        final List<Step> steps = new ArrayList<>();
        try
        {
            try
            {
                startOwner();
            }
            catch (final RuntimeException ex)
            {
                for (final StepName name : StepName.values())
                {
                    steps.add(new Step(name, false, Map.of(), "not run: the owner (process " + OWNER_ID +
                        ") could not start on " + ownerAddress() + ": " + ex.getMessage()));
                }
                return new Result(setting, steps);
            }
            steps.add(guarded(StepName.HANDSHAKE_STRESS, this::handshakeStress));
            steps.add(guarded(StepName.WRITE_TORTURE, this::writeTorture));
            steps.add(guarded(StepName.REVOCATION, this::revocation));
            steps.add(guarded(StepName.FAILURE_DETECTION, this::failureDetection));
            return new Result(setting, steps);
        }
        finally
        {
            closeWriter();
            if (null != owner)
            {
                owner.close();
                owner = null;
            }
        }
    }

    /**
     * @param maxWriteBytes the largest write.
     * @return the sizes the torture writes at least once, ascending: for each power of two p from 8 to
     *         {@code maxWriteBytes}, p - 8, p and p + 8; and {@code maxWriteBytes} - 8 and {@code maxWriteBytes}.
     */
    static int[] sizePlan(final int maxWriteBytes)
    {
        final TreeSet<Integer> sizes = new TreeSet<>();
        for (long p = RdmaCheckRecord.MIN_LENGTH; p <= maxWriteBytes; p <<= 1)
        {
            for (final long size : new long[]{p - 8, p, p + 8})
            {
                if (size >= RdmaCheckRecord.MIN_LENGTH && size <= maxWriteBytes)
                {
                    sizes.add((int)size);
                }
            }
        }
        sizes.add(maxWriteBytes);
        sizes.add(maxWriteBytes - 8);
        return sizes.stream().mapToInt(Integer::intValue).toArray();
    }

    // ---------------------------------------------------------------- steps

    private Step handshakeStress()
    {
        final int cycles = config.cycles();
        final long[] readyNs = new long[cycles];
        final byte[] record = new byte[HANDSHAKE_RECORD_BYTES];
        for (int cycle = 0; cycle < cycles; cycle++)
        {
            final String which = "cycle " + (cycle + 1) + " of " + cycles + ": ";
            final int peerDownsBefore = ownerPeerDowns;
            final RdmaFabric current = newWriter();
            final long startNs = clock.nanoTime();
            current.start();
            final RemoteRegion handle = current.remote(OWNER_ID, RECORD_REGION_ID);
            if (!await(() -> RemoteRegion.Status.READY == handle.status(), startNs + config.timeoutNs()))
            {
                return failed(StepName.HANDSHAKE_STRESS, which + notReady(handle));
            }
            readyNs[cycle] = clock.nanoTime() - startNs;
            final String problem = landRecord(handle, 0, record, HANDSHAKE_RECORD_BYTES);
            if (null != problem)
            {
                return failed(StepName.HANDSHAKE_STRESS, which + problem);
            }
            closeWriter();
            if (!await(() -> ownerPeerDowns > peerDownsBefore, clock.nanoTime() + config.timeoutNs()))
            {
                return failed(StepName.HANDSHAKE_STRESS, which + "the owner did not report process " + WRITER_ID +
                    " down within " + ms(config.timeoutNs()) + " of its close");
            }
        }
        Arrays.sort(readyNs);
        final Map<String, Double> numbers = new LinkedHashMap<>();
        numbers.put("cycles", (double)cycles);
        numbers.put("readyMinUs", us(readyNs[0]));
        numbers.put("readyMedianUs", us(readyNs[cycles / 2]));
        numbers.put("readyMaxUs", us(readyNs[cycles - 1]));
        return new Step(StepName.HANDSHAKE_STRESS, true, numbers, cycles + " connect/write/close cycles; time to " +
            "READY min " + ms(readyNs[0]) + ", median " + ms(readyNs[cycles / 2]) + ", max " + ms(readyNs[cycles - 1]) +
            "; every record landed whole and every close was reported");
    }

    private Step writeTorture()
    {
        final String notUp = ensureWriter();
        if (null != notUp)
        {
            return failed(StepName.WRITE_TORTURE, notUp);
        }
        final RemoteRegion handle = writer.remote(OWNER_ID, RECORD_REGION_ID);
        final AtomicBuffer region = recordRegion.buffer();
        final int[] plan = sizePlan(config.maxWriteBytes());
        final byte[][] copies = new byte[SLOT_COUNT][slotBytes];
        final UnsafeBuffer[] sources = new UnsafeBuffer[SLOT_COUNT];
        for (int i = 0; i < SLOT_COUNT; i++)
        {
            sources[i] = new UnsafeBuffer(copies[i]);
        }
        final int[] lengths = new int[SLOT_COUNT];
        final long[] sequences = new long[SLOT_COUNT];
        final long[] issuedAtNs = new long[SLOT_COUNT];
        final boolean[] sizeSeen = new boolean[slotBytes / 8 + 1];
        int distinctSizes = 0;
        int planIndex = 0;
        int head = 0;
        int inFlight = 0;
        boolean prepared = false;
        long issued = 0;
        long validated = 0;
        long bytes = 0;
        long backPressure = 0;
        final long startNs = clock.nanoTime();
        final long stopIssuingNs = startNs + config.tortureDurationNs();
        idle.reset();
        while (true)
        {
            int work = pass();
            final long nowNs = clock.nanoTime();
            while (inFlight > 0)
            {
                final int offset = head * slotBytes;
                final int length = lengths[head];
                final RdmaCheckRecord.Verdict verdict = records.check(region, offset, length, sequences[head],
                    copies[head]);
                if (RdmaCheckRecord.Verdict.VALID == verdict)
                {
                    region.setMemory(offset, length, (byte)0); // a later record in the slot finds no old trailer
                    if (!sizeSeen[length / 8])
                    {
                        sizeSeen[length / 8] = true;
                        distinctSizes++;
                    }
                    validated++;
                    bytes += length;
                    head = (head + 1) % SLOT_COUNT;
                    inFlight--;
                    work++;
                    continue;
                }
                if (RdmaCheckRecord.Verdict.WRONG == verdict || nowNs - issuedAtNs[head] > config.landTimeoutNs())
                {
                    return failed(StepName.WRITE_TORTURE, mismatch(verdict, region, offset, length, sequences[head],
                        copies[head], validated));
                }
                break;
            }
            final boolean planDone = planIndex >= plan.length;
            final boolean stopIssuing = planDone && (issued >= config.tortureWrites() || nowNs - stopIssuingNs >= 0);
            if (stopIssuing && 0 == inFlight)
            {
                break;
            }
            if (RemoteRegion.Status.READY != handle.status())
            {
                return failed(StepName.WRITE_TORTURE, "the writer's handle became " + handle.status() + " after " +
                    validated + " records" + writerPeerDownNote());
            }
            while (!stopIssuing && inFlight < SLOT_COUNT &&
                (planIndex < plan.length || issued < config.tortureWrites()))
            {
                final int slot = (head + inFlight) % SLOT_COUNT;
                if (!prepared)
                {
                    final int length = (issued & 1) == 0 && planIndex < plan.length ? plan[planIndex++] :
                        RdmaCheckRecord.MIN_LENGTH * (1 + random.nextInt(slotBytes / RdmaCheckRecord.MIN_LENGTH));
                    lengths[slot] = length;
                    sequences[slot] = nextSequence++;
                    records.encode(copies[slot], length, sequences[slot], pool, random);
                    prepared = true;
                }
                final WriteResult result = handle.write(slot * slotBytes, sources[slot], 0, lengths[slot]);
                if (WriteResult.BACK_PRESSURE == result)
                {
                    backPressure++;
                    break;
                }
                if (WriteResult.ISSUED != result)
                {
                    return failed(StepName.WRITE_TORTURE, "a write of " + lengths[slot] + " bytes returned " + result +
                        " after " + validated + " records (handle " + handle.status() + ")" + writerPeerDownNote());
                }
                issuedAtNs[slot] = nowNs;
                prepared = false;
                inFlight++;
                issued++;
                work++;
            }
            idle.idle(work);
        }
        final long elapsedNs = Math.max(1, clock.nanoTime() - startNs);
        final double seconds = elapsedNs / 1e9;
        final Map<String, Double> numbers = new LinkedHashMap<>();
        numbers.put("writes", (double)validated);
        numbers.put("bytes", (double)bytes);
        numbers.put("distinctSizes", (double)distinctSizes);
        numbers.put("maxSizeBytes", (double)config.maxWriteBytes());
        numbers.put("writesPerSecond", validated / seconds);
        numbers.put("mibPerSecond", bytes / seconds / (1 << 20));
        numbers.put("gbitPerSecond", bytes * 8 / seconds / 1e9);
        numbers.put("backPressure", (double)backPressure);
        return new Step(StepName.WRITE_TORTURE, true, numbers, String.format(Locale.ROOT,
            "%d writes of 8 B to %d B (%d sizes, %d in flight), %.1f MiB in %.2f s: %.0f writes/s, %.1f MiB/s " +
            "(%.2f Gb/s); every byte checked", validated, config.maxWriteBytes(), distinctSizes, SLOT_COUNT,
            bytes / (double)(1 << 20), seconds, validated / seconds, bytes / seconds / (1 << 20),
            bytes * 8 / seconds / 1e9));
    }

    private Step revocation()
    {
        final String notUp = ensureWriter();
        if (null != notUp)
        {
            return failed(StepName.REVOCATION, notUp);
        }
        final RemoteRegion handle = writer.remote(OWNER_ID, REVOKED_REGION_ID);
        if (!await(() -> RemoteRegion.Status.READY == handle.status(), clock.nanoTime() + config.timeoutNs()))
        {
            return failed(StepName.REVOCATION, "before revoking: " + notReady(handle));
        }
        final AtomicBuffer region = revokedRegion.buffer();
        final String before = landWord(handle, 0, "before revoking");
        if (null != before)
        {
            return failed(StepName.REVOCATION, before);
        }

        writerRejectedAtNs = NULL_NS;
        final long revokeStartNs = clock.nanoTime();
        revokedRegion.revoke(WRITER_ID);
        final long revokedNs = clock.nanoTime();
        final byte[] snapshot = new byte[REVOKED_REGION_BYTES];
        region.getBytes(0, snapshot);
        final UnsafeBuffer word = new UnsafeBuffer(new byte[8]);
        int writesAfterRevoke = 0;
        String how = null;
        long rejectedNs = NULL_NS;
        idle.reset();
        while (NULL_NS == rejectedNs)
        {
            int work = pass();
            if (RemoteRegion.Status.FAILED == handle.status())
            {
                rejectedNs = clock.nanoTime();
                how = "handle FAILED by the NIC's remote access error";
                break;
            }
            if (RemoteRegion.Status.READY == handle.status())
            {
                word.putLong(0, nextSequence++);
                final WriteResult result = handle.write(8, word, 0, 8);
                if (WriteResult.REJECTED == result)
                {
                    rejectedNs = clock.nanoTime();
                    how = "REJECTED at issue by the owner's published key";
                    break;
                }
                if (WriteResult.ISSUED == result)
                {
                    writesAfterRevoke++;
                    work++;
                }
            }
            else
            {
                return failed(StepName.REVOCATION, "after revoking, the writer's handle became " + handle.status() +
                    " instead of FAILED" + writerPeerDownNote());
            }
            final String changed = changedSince(region, snapshot, "after revoke() returned");
            if (null != changed)
            {
                return failed(StepName.REVOCATION, changed);
            }
            if (clock.nanoTime() - revokedNs - config.timeoutNs() > 0)
            {
                return failed(StepName.REVOCATION, "the writer did not see the revocation within " +
                    ms(config.timeoutNs()) + " (" + writesAfterRevoke + " writes issued after it)");
            }
            idle.idle(work);
        }
        if (!await(() -> NULL_NS != writerRejectedAtNs, clock.nanoTime() + config.timeoutNs()))
        {
            return failed(StepName.REVOCATION, "the writer's handle is FAILED but its listener was never told " +
                "(onWriteRejected)");
        }
        final long listenerNs = writerRejectedAtNs;
        final String changed = changedSince(region, snapshot, "after revoke() returned");
        if (null != changed)
        {
            return failed(StepName.REVOCATION, changed);
        }

        final byte[] record = new byte[HANDSHAKE_RECORD_BYTES];
        final String otherLane = landRecord(writer.remote(OWNER_ID, RECORD_REGION_ID), 0, record,
            HANDSHAKE_RECORD_BYTES);
        if (null != otherLane || writerPeerDowns > 0)
        {
            return failed(StepName.REVOCATION, "after the revocation, lane 0 to the owner broke: " +
                (null != otherLane ? otherLane : "the owner was reported down"));
        }
        final String stillUnchanged = changedSince(region, snapshot, "after revoke() returned");
        if (null != stillUnchanged)
        {
            return failed(StepName.REVOCATION, stillUnchanged);
        }

        final long grantNs = clock.nanoTime();
        revokedRegion.grant(WRITER_ID);
        handle.reset();
        final String regranted = landWord(handle, 16, "after grant and reset");
        if (null != regranted)
        {
            return failed(StepName.REVOCATION, regranted);
        }
        final long regrantNs = clock.nanoTime() - grantNs;

        final Map<String, Double> numbers = new LinkedHashMap<>();
        numbers.put("revokeCallUs", us(revokedNs - revokeStartNs));
        numbers.put("rejectionUs", us(rejectedNs - revokedNs));
        numbers.put("listenerUs", us(listenerNs - revokedNs));
        numbers.put("writesAfterRevoke", (double)writesAfterRevoke);
        numbers.put("regrantUs", us(regrantNs));
        return new Step(StepName.REVOCATION, true, numbers, "revoke() took " + ms(revokedNs - revokeStartNs) +
            "; the writer saw it " + ms(rejectedNs - revokedNs) + " after (" + how + "; " + writesAfterRevoke +
            " writes issued after revoke(), none landed), its listener " + ms(listenerNs - revokedNs) +
            " after; lane 0 kept working; after grant and reset a write landed in " + ms(regrantNs));
    }

    private Step failureDetection()
    {
        final String notUp = ensureWriter();
        if (null != notUp)
        {
            return failed(StepName.FAILURE_DETECTION, notUp);
        }
        final int peerDownsBefore = ownerPeerDowns;
        final long closeNs = clock.nanoTime();
        closeWriter();
        final long connectTimeoutNs = config.connectTimeoutNs();
        if (!await(() -> ownerPeerDowns > peerDownsBefore, closeNs + connectTimeoutNs + config.timeoutNs()))
        {
            return failed(StepName.FAILURE_DETECTION, "the owner did not report process " + WRITER_ID +
                " down within " + ms(connectTimeoutNs + config.timeoutNs()) + " of its close (connect timeout " +
                ms(connectTimeoutNs) + ")");
        }
        final long detectedNs = ownerPeerDownAtNs - closeNs;
        final Map<String, Double> numbers = new LinkedHashMap<>();
        numbers.put("peerDownUs", us(detectedNs));
        numbers.put("connectTimeoutMs", connectTimeoutNs / 1e6);
        final String measured = "the owner reported the closed writer down " + ms(detectedNs) + " after its close, " +
            String.format(Locale.ROOT, "%.1f%%", 100.0 * detectedNs / connectTimeoutNs) + " of the connect timeout " +
            ms(connectTimeoutNs);
        if (detectedNs > connectTimeoutNs)
        {
            return new Step(StepName.FAILURE_DETECTION, false, numbers, measured + ": later than the timeout, so the " +
                "disconnect was not seen and only the timer caught it");
        }
        return new Step(StepName.FAILURE_DETECTION, true, numbers, measured);
    }

    // ---------------------------------------------------------------- endpoints

    private void startOwner()
    {
        final Map<Integer, InetSocketAddress> addresses = Map.of(OWNER_ID, ownerAddress());
        owner = new RdmaFabric(OWNER_ID, addresses, options(FabricCredentials.server(CLUSTER, serverSecret,
            clientSecret, FabricCredentials.newIncarnation())), verbsFactory.apply(OWNER_ID), clock);
        owner.lockedMemoryLimit(lockedMemoryLimit);
        recordRegion = owner.register(RECORD_REGION_ID, SLOT_COUNT * slotBytes, true);
        revokedRegion = owner.register(REVOKED_REGION_ID, REVOKED_REGION_BYTES, true);
        owner.listener(new FabricListener()
        {
            @Override
            public void onPeerDown(final int peerId)
            {
                if (WRITER_ID == peerId)
                {
                    ownerPeerDowns++;
                    ownerPeerDownAtNs = clock.nanoTime();
                }
            }
        });
        owner.start();
    }

    private RdmaFabric newWriter()
    {
        closeWriter();
        final RdmaFabric fabric = new RdmaFabric(WRITER_ID, Map.of(OWNER_ID, ownerAddress()),
            options(FabricCredentials.client(CLUSTER, clientSecret, FabricCredentials.newIncarnation())),
            verbsFactory.apply(WRITER_ID), clock);
        fabric.lockedMemoryLimit(lockedMemoryLimit);
        writer = fabric;
        writerPeerDowns = 0;
        writerRejectedAtNs = NULL_NS;
        fabric.listener(new FabricListener()
        {
            @Override
            public void onPeerDown(final int peerId)
            {
                if (writer == fabric)
                {
                    writerPeerDowns++;
                }
            }

            @Override
            public void onWriteRejected(final int peerId, final int regionId)
            {
                if (writer == fabric && REVOKED_REGION_ID == regionId && NULL_NS == writerRejectedAtNs)
                {
                    writerRejectedAtNs = clock.nanoTime();
                }
            }
        });
        return fabric;
    }

    /** @return null once a writer is up with its record handle READY, else why not. */
    private String ensureWriter()
    {
        if (null != writer && 0 == writerPeerDowns &&
            RemoteRegion.Status.READY == writer.remote(OWNER_ID, RECORD_REGION_ID).status())
        {
            return null;
        }
        final int peerDownsBefore = ownerPeerDowns;
        final boolean hadWriter = null != writer &&
            Arrays.stream(owner.connectedPeers()).anyMatch(id -> WRITER_ID == id);
        closeWriter();
        if (hadWriter && !await(() -> ownerPeerDowns > peerDownsBefore, clock.nanoTime() + config.timeoutNs()))
        {
            return "the owner did not report the previous writer down within " + ms(config.timeoutNs());
        }
        final RdmaFabric fabric = newWriter();
        fabric.start();
        final RemoteRegion handle = fabric.remote(OWNER_ID, RECORD_REGION_ID);
        if (!await(() -> RemoteRegion.Status.READY == handle.status(), clock.nanoTime() + config.timeoutNs()))
        {
            return notReady(handle);
        }
        return null;
    }

    private void closeWriter()
    {
        if (null != writer)
        {
            final RdmaFabric closing = writer;
            writer = null;
            closing.close();
        }
    }

    private RdmaFabricOptions options(final FabricCredentials credentials)
    {
        return RdmaFabricOptions.builder()
            .deviceName(config.deviceName())
            .connectTimeoutNs(config.connectTimeoutNs())
            .stagingBytes(stagingBytes)
            .isolatedRegionIds(REVOKED_REGION_ID)
            .clientPeers(1) // the writer
            .credentials(credentials)
            .build();
    }

    private InetSocketAddress ownerAddress()
    {
        return new InetSocketAddress(config.address(), config.port());
    }

    private String setting()
    {
        return "owner process " + OWNER_ID + " listens on " + config.address().getHostAddress() + ":" + config.port() +
            ", writer process " + WRITER_ID + " connects to it; device " +
            (null == config.deviceName() ? "any" : config.deviceName()) + "; seed " + config.seed() +
            "; connect timeout " + ms(config.connectTimeoutNs()) + ", land timeout " + ms(config.landTimeoutNs()) +
            ", step timeout " + ms(config.timeoutNs());
    }

    // ---------------------------------------------------------------- driving and waiting

    private int pass()
    {
        int work = owner.doWork();
        if (null != writer)
        {
            work += writer.doWork();
        }
        return work;
    }

    /** @return whether {@code condition} held before {@code deadlineNs}; both endpoints driven meanwhile. */
    private boolean await(final BooleanSupplier condition, final long deadlineNs)
    {
        idle.reset();
        while (true)
        {
            final int work = pass();
            if (condition.getAsBoolean())
            {
                return true;
            }
            if (clock.nanoTime() - deadlineNs > 0)
            {
                return false;
            }
            idle.idle(work);
        }
    }

    /**
     * Writes one record into the record region and waits until it landed whole.
     *
     * @return null once it did, else why not (size and offset of a mismatch).
     */
    private String landRecord(final RemoteRegion handle, final int offset, final byte[] record, final int length)
    {
        final long sequence = nextSequence++;
        records.encode(record, length, sequence, pool, random);
        final UnsafeBuffer source = new UnsafeBuffer(record, 0, length);
        final WriteResult[] result = {WriteResult.NOT_CONNECTED};
        final boolean issued = await(() ->
        {
            result[0] = handle.write(offset, source, 0, length);
            return WriteResult.BACK_PRESSURE != result[0] && WriteResult.NOT_CONNECTED != result[0];
        }, clock.nanoTime() + config.timeoutNs());
        if (!issued || WriteResult.ISSUED != result[0])
        {
            return "a record of " + length + " bytes could not be issued: " + result[0] + " (handle " +
                handle.status() + ")" + writerPeerDownNote();
        }
        final AtomicBuffer region = recordRegion.buffer();
        final RdmaCheckRecord.Verdict[] verdict = {RdmaCheckRecord.Verdict.ABSENT};
        await(() ->
        {
            verdict[0] = records.check(region, offset, length, sequence, record);
            return RdmaCheckRecord.Verdict.VALID == verdict[0] || RdmaCheckRecord.Verdict.WRONG == verdict[0];
        }, clock.nanoTime() + config.landTimeoutNs());
        if (RdmaCheckRecord.Verdict.VALID != verdict[0])
        {
            return mismatch(verdict[0], region, offset, length, sequence, record, -1);
        }
        region.setMemory(offset, length, (byte)0);
        return null;
    }

    /**
     * Writes one word into the revoked region and waits until it landed.
     *
     * @return null once it did, else why not.
     */
    private String landWord(final RemoteRegion handle, final int offset, final String when)
    {
        final long value = nextSequence++;
        final UnsafeBuffer word = new UnsafeBuffer(new byte[8]);
        word.putLong(0, value);
        final WriteResult[] result = {WriteResult.NOT_CONNECTED};
        final boolean issued = await(() ->
        {
            result[0] = handle.write(offset, word, 0, 8);
            return WriteResult.BACK_PRESSURE != result[0] && WriteResult.NOT_CONNECTED != result[0];
        }, clock.nanoTime() + config.timeoutNs());
        if (!issued || WriteResult.ISSUED != result[0])
        {
            return when + ", a write to region " + REVOKED_REGION_ID + " was not issued: " + result[0] + " (handle " +
                handle.status() + ")" + writerPeerDownNote();
        }
        final AtomicBuffer region = revokedRegion.buffer();
        if (!await(() -> region.getLongVolatile(offset) == value, clock.nanoTime() + config.timeoutNs()))
        {
            return when + ", a write to region " + REVOKED_REGION_ID + " did not land within " +
                ms(config.timeoutNs()) + " (handle " + handle.status() + ")";
        }
        return null;
    }

    // ---------------------------------------------------------------- messages

    private String mismatch(final RdmaCheckRecord.Verdict verdict, final AtomicBuffer region, final int offset,
        final int length, final long sequence, final byte[] expected, final long before)
    {
        final int at = records.firstMismatch(region, offset, length, expected);
        final String where = "write of size " + length + " bytes (sequence " + sequence + ", region offset " + offset +
            (before >= 0 ? ", after " + before + " records landed whole)" : ")");
        if (at < 0)
        {
            return where + ": " + verdict + " until the land timeout, yet every byte now matches";
        }
        final String bytes = String.format(Locale.ROOT, "0x%02x instead of 0x%02x", region.getByte(offset + at) & 0xFF,
            expected[at] & 0xFF);
        return switch (verdict)
        {
            case WRONG -> where + ": validated, but the byte at offset " + at + " is " + bytes;
            case INCOMPLETE -> where + ": its trailer landed but the byte at offset " + at + " is " + bytes +
                " after " + ms(config.landTimeoutNs()) + " (corrupted or never placed)";
            default -> where + ": not landed within " + ms(config.landTimeoutNs()) +
                "; first differing byte at offset " + at + " is " + bytes;
        };
    }

    private String changedSince(final AtomicBuffer region, final byte[] snapshot, final String when)
    {
        final UnsafeBuffer expected = new UnsafeBuffer(snapshot);
        for (int offset = 0; offset < snapshot.length; offset += 8)
        {
            if (region.getLongVolatile(offset) != expected.getLong(offset))
            {
                return "a write landed in the revoked region " + when + " (word at offset " + offset + ")";
            }
        }
        return null;
    }

    private String notReady(final RemoteRegion handle)
    {
        final Fabric.Refusal refusal = null == writer ? null : writer.refusal(OWNER_ID);
        return "the writer's handle to region " + handle.regionId() + " is " + handle.status() + " " +
            ms(config.timeoutNs()) + " after start (is the owner's address " + ownerAddress() + " on the RDMA " +
            "interface?)" + (null == refusal ? "" : "; the owner refused it: " + refusal.message());
    }

    private String writerPeerDownNote()
    {
        return writerPeerDowns > 0 ? "; the writer reported the owner down (see the log)" : "";
    }

    private Step guarded(final StepName name, final Supplier<Step> step)
    {
        try
        {
            return step.get();
        }
        catch (final RuntimeException ex)
        {
            closeWriter();
            return failed(name, "stopped by " + ex);
        }
    }

    private static Step failed(final StepName name, final String detail)
    {
        return new Step(name, false, Map.of(), detail);
    }

    private static double us(final long ns)
    {
        return ns / 1e3;
    }

    private static String ms(final long ns)
    {
        return String.format(Locale.ROOT, "%.3f ms", ns / 1e6);
    }
}
