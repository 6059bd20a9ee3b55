package io.ramcast.storage;

import io.ramcast.multicast.fabric.LocalFabricHub;
import io.ramcast.txn.ProcedureRegistry;
import io.ramcast.txn.config.ClusterConfig;
import io.ramcast.txn.store.MemoryPartitionStore;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link ReplicaServer.Builder#idleStrategy}: the configured strategies are the ones the agents idle with. */
class ReplicaServerIdleStrategyTest
{
    private static final String CONFIG = "cluster: idle\nfabric: local\npartitioner:\n  type: hash\n" +
        "storage:\n  durability: wal\n  dataRoot: unused\npartitions:\n" +
        "  - id: 0\n    replicas:\n      - { id: 0, host: 127.0.0.1, port: 7300 }\n" +
        "clients:\n  firstId: 100\n  count: 1\n";

    /** Sleeps 1 ms per idle cycle (never spins) and records which threads idled with it and how often. */
    private static final class CountingIdleStrategy implements IdleStrategy
    {
        final IdleStrategy delegate = new SleepingMillisIdleStrategy(1);
        final AtomicLong idleCount = new AtomicLong();
        final Set<Thread> threads = ConcurrentHashMap.newKeySet();

        @Override
        public void idle(final int workCount)
        {
            count();
            delegate.idle(workCount);
        }

        @Override
        public void idle()
        {
            count();
            delegate.idle();
        }

        @Override
        public void reset()
        {
            delegate.reset();
        }

        private void count()
        {
            idleCount.incrementAndGet();
            threads.add(Thread.currentThread());
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldIdleEachAgentWithItsOwnConfiguredStrategy() throws Exception
    {
        final ClusterConfig config = ClusterConfig.parse(CONFIG, "idle.yaml");
        final LocalFabricHub hub = new LocalFabricHub();
        final List<CountingIdleStrategy> made = new CopyOnWriteArrayList<>();
        try (ReplicaServer replica = ReplicaServer.builder().config(config).replicaId(0).fabric(hub.endpoint(0))
            .store(new MemoryPartitionStore()).procedures(new ProcedureRegistry())
            .idleStrategy(() ->
            {
                final CountingIdleStrategy strategy = new CountingIdleStrategy();
                made.add(strategy);
                return strategy;
            })
            .build())
        {
            assertThat(made).as("strategies are made when the agents start").isEmpty();
            replica.start();

            assertThat(made).as("one strategy per agent: RamCast and executor").hasSize(2);
            awaitUntil(() -> made.stream().allMatch(s -> s.idleCount.get() > 0), Duration.ofSeconds(20),
                "both agents idled with their configured strategy");
            assertThat(made.get(0).threads).hasSize(1);
            assertThat(made.get(1).threads).hasSize(1);
            assertThat(made.get(0).threads).doesNotContainAnyElementsOf(made.get(1).threads);
            assertThat(replica.failure()).isNull();
        }
    }

    private static void awaitUntil(final BooleanSupplier condition, final Duration timeout, final String description)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out after " + timeout + " waiting until " + description);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
