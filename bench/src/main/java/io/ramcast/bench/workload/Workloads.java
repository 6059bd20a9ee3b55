package io.ramcast.bench.workload;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The workloads the {@code load} and {@code bench} commands know, by name, each with the record
 * count used when {@code --records} is not given and the key distribution used when
 * {@code --distribution} is not given. To add a workload, add one {@link #register} line to the
 * static block.
 *
 * <p>{@link #create} returns a new instance per call, so indexes a workload builds for one run are
 * not kept for the life of the process. Immutable after class initialisation; thread-safe.
 */
public final class Workloads
{
    private static final Map<String, Entry> BY_NAME = new LinkedHashMap<>();

    static
    {
        for (final YcsbWorkload.Mix mix : YcsbWorkload.Mix.values())
        {
            register(mix.workloadName(), () -> new YcsbWorkload(mix), YcsbWorkload.DEFAULT_RECORDS);
        }
        register(BankBenchWorkload.NAME, BankBenchWorkload::new, BankBenchWorkload.DEFAULT_ACCOUNTS);
        register(SmallBankWorkload.NAME, SmallBankWorkload::new, SmallBankWorkload.DEFAULT_RECORDS);
        register(ListAppendBenchWorkload.NAME, ListAppendBenchWorkload::new, ListAppendBenchWorkload.DEFAULT_KEYS);
        for (final KvWorkload.Kind kind : KvWorkload.Kind.values())
        {
            register(kind.workloadName(), () -> new KvWorkload(kind), KvWorkload.DEFAULT_RECORDS,
                KvWorkload.DEFAULT_DISTRIBUTION.cliName());
        }
    }

    /** A registered workload. */
    private record Entry(Supplier<BenchWorkload> factory, long defaultRecords, String defaultDistribution)
    {
    }

    private Workloads()
    {
    }

    private static void register(final String name, final Supplier<BenchWorkload> factory, final long defaultRecords)
    {
        register(name, factory, defaultRecords, KeyDistribution.ZIPFIAN.cliName());
    }

    private static void register(final String name, final Supplier<BenchWorkload> factory, final long defaultRecords,
        final String defaultDistribution)
    {
        if (BY_NAME.put(name, new Entry(factory, defaultRecords, defaultDistribution)) != null)
        {
            throw new IllegalStateException("two workloads are named " + name);
        }
    }

    /** @return the registered names, in registration order. */
    public static Set<String> names()
    {
        return Collections.unmodifiableSet(BY_NAME.keySet());
    }

    /**
     * @param name a workload name.
     * @return a new instance of it.
     * @throws IllegalArgumentException naming the known workloads if there is none of that name.
     */
    public static BenchWorkload create(final String name)
    {
        return entry(name).factory().get();
    }

    /**
     * @param name a workload name.
     * @return its record count when {@code --records} is not given.
     * @throws IllegalArgumentException naming the known workloads if there is none of that name.
     */
    public static long defaultRecords(final String name)
    {
        return entry(name).defaultRecords();
    }

    /**
     * @param name a workload name.
     * @return its key distribution when {@code --distribution} is not given ({@link KeyDistribution} name).
     * @throws IllegalArgumentException naming the known workloads if there is none of that name.
     */
    public static String defaultDistribution(final String name)
    {
        return entry(name).defaultDistribution();
    }

    private static Entry entry(final String name)
    {
        final Entry entry = BY_NAME.get(name);
        if (entry == null)
        {
            throw new IllegalArgumentException("--workload=" + name + " is unknown; choose one of " +
                String.join(", ", BY_NAME.keySet()));
        }
        return entry;
    }
}
