package io.ramcast.multicast.fabric.rdma;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;

/**
 * The fabric contract over the {@code rdma} fabric with the in-memory network as harsh as a NIC and
 * a link may be, every {@link FakeRdmaNetwork.Harsh} switch on at once: the acceptor's ESTABLISHED
 * after the peer's first SEND; writes executed whose acknowledgement a loss takes; send-queue,
 * receive-queue, completion-queue and inline limits enforced; the words of a write placed in random
 * order, in two steps (a torn prefix when the key is revoked in between); writes of different queue
 * pairs delayed independently; a remote access error failing the responder's queue pair too. Every
 * scenario must pass as it does on the plain model, and no completion queue may overflow; and so
 * with each switch alone, so that one switch cannot hide another's failure.
 * The seed is {@code -Dramcast.harsh.seed} (default 16).
 */
class HarshFakeVerbsRdmaFabricContractTest
{
    private static final long SEED = Long.getLong("ramcast.harsh.seed", 16);

    /** Every switch on at once. */
    @Nested
    class AllSwitches extends FakeVerbsRdmaFabricContractTest
    {
        @Override
        protected FakeRdmaNetwork newNetwork()
        {
            return new FakeRdmaNetwork(EnumSet.allOf(FakeRdmaNetwork.Harsh.class), SEED);
        }

        @AfterEach
        void noCompletionQueueOverflowed()
        {
            assertThat(network().completionQueueOverruns()).as("completion-queue overruns (seed " + SEED + ")")
                .isZero();
        }
    }

    /** One switch on: a base for the nested suites. */
    abstract static class OneSwitch extends FakeVerbsRdmaFabricContractTest
    {
        /** @return the switch; a constant (called from a field initializer). */
        abstract FakeRdmaNetwork.Harsh harsh();

        @Override
        protected FakeRdmaNetwork newNetwork()
        {
            return new FakeRdmaNetwork(EnumSet.of(harsh()), SEED);
        }

        @AfterEach
        void noCompletionQueueOverflowed()
        {
            assertThat(network().completionQueueOverruns()).as("completion-queue overruns").isZero();
        }
    }

    @Nested
    class LateEstablished extends OneSwitch
    {
        @Override
        FakeRdmaNetwork.Harsh harsh()
        {
            return FakeRdmaNetwork.Harsh.LATE_ESTABLISHED;
        }
    }

    @Nested
    class AckLost extends OneSwitch
    {
        @Override
        FakeRdmaNetwork.Harsh harsh()
        {
            return FakeRdmaNetwork.Harsh.ACK_LOST;
        }
    }

    @Nested
    class Limits extends OneSwitch
    {
        @Override
        FakeRdmaNetwork.Harsh harsh()
        {
            return FakeRdmaNetwork.Harsh.LIMITS;
        }
    }

    @Nested
    class TornPlacement extends OneSwitch
    {
        @Override
        FakeRdmaNetwork.Harsh harsh()
        {
            return FakeRdmaNetwork.Harsh.TORN_PLACEMENT;
        }
    }

    @Nested
    class QueuePairDelays extends OneSwitch
    {
        @Override
        FakeRdmaNetwork.Harsh harsh()
        {
            return FakeRdmaNetwork.Harsh.QUEUE_PAIR_DELAYS;
        }
    }

    @Nested
    class ResponderAccessError extends OneSwitch
    {
        @Override
        FakeRdmaNetwork.Harsh harsh()
        {
            return FakeRdmaNetwork.Harsh.RESPONDER_ACCESS_ERROR;
        }
    }
}
