package io.ramcast.multicast.fabric.rdma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link RdmaCheck} over the in-memory {@link FakeRdmaNetwork}: every step passes with plausible
 * numbers on a healthy path, a byte corrupted on its way to the owner fails the torture naming the
 * write's size and the byte's offset, and an owner that cannot listen fails every step naming why.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RdmaCheckTest
{
    private static final long CONNECT_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(500);

    private final FakeRdmaNetwork network = new FakeRdmaNetwork();
    private int devices;

    private static RdmaCheck.Config.Builder config()
    {
        return RdmaCheck.Config.builder(InetAddress.getLoopbackAddress())
            .port(19_870)
            .cycles(20)
            .tortureWrites(2_000)
            .tortureDurationNs(TimeUnit.SECONDS.toNanos(2))
            .landTimeoutNs(TimeUnit.MILLISECONDS.toNanos(200))
            .timeoutNs(TimeUnit.SECONDS.toNanos(5))
            .connectTimeoutNs(CONNECT_TIMEOUT_NS)
            .seed(42);
    }

    private IntFunction<Verbs> fakeVerbs()
    {
        return id -> network.device("rdma-check-" + id + "-" + devices++);
    }

    @Test
    void shouldPassEveryStepWithPlausibleNumbersOnAHealthyPath()
    {
        final RdmaCheck.Result result = new RdmaCheck(config().build(), fakeVerbs(), SystemNanoClock.INSTANCE).run();

        System.out.println(result.report());
        assertThat(result.passed()).as(result.report()).isTrue();
        assertThat(result.steps()).extracting(RdmaCheck.Step::name).containsExactly(RdmaCheck.StepName.values());

        final RdmaCheck.Step handshake = result.step(RdmaCheck.StepName.HANDSHAKE_STRESS);
        assertThat(handshake.number("cycles")).isEqualTo(20);
        assertThat(handshake.number("readyMinUs")).isPositive()
            .isLessThanOrEqualTo(handshake.number("readyMedianUs"));
        assertThat(handshake.number("readyMaxUs")).isGreaterThanOrEqualTo(handshake.number("readyMedianUs"))
            .isLessThan(5_000_000);

        final RdmaCheck.Step torture = result.step(RdmaCheck.StepName.WRITE_TORTURE);
        final int[] plan = RdmaCheck.sizePlan(RdmaCheck.Config.DEFAULT_MAX_WRITE_BYTES);
        assertThat(torture.number("writes")).isGreaterThanOrEqualTo(2.0 * plan.length).isLessThanOrEqualTo(2_000);
        assertThat(torture.number("distinctSizes")).isGreaterThanOrEqualTo(plan.length);
        assertThat(torture.number("maxSizeBytes")).isEqualTo(64 * 1024);
        assertThat(torture.number("bytes")).isGreaterThan(torture.number("writes") * 8);
        assertThat(torture.number("writesPerSecond")).isPositive();
        assertThat(torture.number("mibPerSecond")).isPositive();
        assertThat(torture.number("gbitPerSecond")).isPositive();
        assertThat(torture.detail()).contains("every byte checked").contains("writes/s").contains("MiB/s");

        final RdmaCheck.Step revocation = result.step(RdmaCheck.StepName.REVOCATION);
        assertThat(revocation.number("revokeCallUs")).isNotNegative();
        assertThat(revocation.number("rejectionUs")).isNotNegative().isLessThan(5_000_000);
        assertThat(revocation.number("listenerUs")).isNotNegative().isLessThan(5_000_000);
        assertThat(revocation.number("writesAfterRevoke")).isNotNegative();
        assertThat(revocation.number("regrantUs")).isPositive().isLessThan(5_000_000);
        assertThat(revocation.detail()).contains("none landed").contains("lane 0 kept working");

        final RdmaCheck.Step failure = result.step(RdmaCheck.StepName.FAILURE_DETECTION);
        assertThat(failure.number("peerDownUs")).isNotNegative()
            .isLessThan(TimeUnit.NANOSECONDS.toMicros(CONNECT_TIMEOUT_NS));
        assertThat(failure.number("connectTimeoutMs")).isEqualTo(500);

        assertThat(result.report()).contains("listens on 127.0.0.1:19870").contains("seed 42")
            .contains("PASS  handshake stress").contains("PASS  whole-write torture")
            .contains("PASS  revocation timing").contains("PASS  failure detection")
            .endsWith("rdma-check: all 4 steps PASS");
    }

    @Test
    void shouldFailTheTortureNamingSizeAndOffsetOfACorruptedByte()
    {
        final Corruption corrupted = new Corruption(1024);
        final IntFunction<Verbs> fake = fakeVerbs();
        final IntFunction<Verbs> verbs = id ->
        {
            final FakeVerbs device = (FakeVerbs)fake.apply(id);
            if (RdmaCheck.WRITER_ID == id)
            {
                device.beforeEachWrite(corrupted::apply); // the owner receives the byte wrong, the trailer intact
            }
            return device;
        };

        final RdmaCheck.Result result = new RdmaCheck(config().cycles(1).build(), verbs, SystemNanoClock.INSTANCE)
            .run();

        System.out.println(result.report());
        assertThat(result.passed()).as(result.report()).isFalse();
        assertThat(corrupted.length).as("a torture write was corrupted on its way").isPositive();
        final RdmaCheck.Step torture = result.step(RdmaCheck.StepName.WRITE_TORTURE);
        assertThat(torture.passed()).isFalse();
        assertThat(torture.detail())
            .contains("write of size " + corrupted.length + " bytes")
            .contains("the byte at offset " + corrupted.offset + " is");
        assertThat(result.step(RdmaCheck.StepName.HANDSHAKE_STRESS).passed()).as(result.report()).isTrue();
        assertThat(result.report()).contains("FAIL  whole-write torture").contains("steps FAILED: whole-write torture");
    }

    @Test
    void shouldFailEveryStepNamingWhyWhenTheOwnerCannotListen() throws IOException
    {
        final Verbs squatter = network.device("squatter");
        squatter.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 19_870), 1);

        final RdmaCheck.Result result = new RdmaCheck(config().build(), fakeVerbs(), SystemNanoClock.INSTANCE).run();

        assertThat(result.passed()).isFalse();
        assertThat(result.steps()).hasSize(RdmaCheck.StepName.values().length)
            .allSatisfy(step -> assertThat(step.detail()).contains("not run: the owner (process 0) could not start")
                .contains("cannot listen on"));
        squatter.close();
    }

    @Test
    void shouldPlanEverySizeAroundEachPowerOfTwo()
    {
        assertThat(RdmaCheck.sizePlan(64 * 1024))
            .startsWith(8, 16, 24, 32, 40)
            .contains(56, 64, 72, 1016, 1024, 1032, 4088, 4096, 4104, 65_528)
            .endsWith(65_536)
            .isSorted();
        assertThat(Arrays.stream(RdmaCheck.sizePlan(64 * 1024)))
            .allMatch(size -> size % 8 == 0 && size <= 65_536);
        assertThat(RdmaCheck.sizePlan(100)).containsExactly(8, 16, 24, 32, 40, 56, 64, 72, 92, 100);
    }

    @Test
    void shouldValidateARecordOnlyOnceEveryByteLanded()
    {
        final RdmaCheckRecord records = new RdmaCheckRecord(4096);
        final byte[] pool = new byte[8192];
        final SplittableRandom random = new SplittableRandom(7);
        random.nextBytes(pool);
        final byte[] record = new byte[4096];
        records.encode(record, 4096, 5, pool, random);
        final UnsafeBuffer region = new UnsafeBuffer(ByteBuffer.allocateDirect(8192));

        assertThat(records.check(region, 4096, 4096, 5, record)).isEqualTo(RdmaCheckRecord.Verdict.ABSENT);
        region.putBytes(4096 + 4088, record, 4088, 8);
        assertThat(records.check(region, 4096, 4096, 5, record)).as("the trailer alone")
            .isEqualTo(RdmaCheckRecord.Verdict.INCOMPLETE);
        assertThat(records.firstMismatch(region, 4096, 4096, record)).isZero();
        region.putBytes(4096, record, 0, 4088);
        assertThat(records.check(region, 4096, 4096, 5, record)).isEqualTo(RdmaCheckRecord.Verdict.VALID);
        assertThat(records.check(region, 4096, 4096, 6, record)).as("another sequence")
            .isEqualTo(RdmaCheckRecord.Verdict.ABSENT);

        region.putByte(4096 + 100, (byte)~record[100]);
        assertThat(records.check(region, 4096, 4096, 5, record)).isEqualTo(RdmaCheckRecord.Verdict.INCOMPLETE);
        assertThat(records.firstMismatch(region, 4096, 4096, record)).isEqualTo(100);

        final byte[] word = new byte[8];
        records.encode(word, 8, 9, pool, random);
        assertThat(records.check(region, 0, 8, 9, word)).isEqualTo(RdmaCheckRecord.Verdict.ABSENT);
        region.putBytes(0, word);
        assertThat(records.check(region, 0, 8, 9, word)).isEqualTo(RdmaCheckRecord.Verdict.VALID);
    }

    @Test
    void shouldRefuseAConfigThatBreaksARule()
    {
        assertThatThrownBy(() -> config().maxWriteBytes(1000 + 4).build())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxWriteBytes=1004");
        assertThatThrownBy(() -> config().cycles(0).build())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cycles=0 must be in [1, 10000]");
        assertThatThrownBy(() -> RdmaCheck.Config.builder(InetAddress.getByName("0.0.0.0")).build())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not the wildcard");
        assertThatThrownBy(() -> RdmaCheck.Config.builder(InetAddress.getByName("::1")).build())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IPv4");
    }

    /** Which write is corrupted, shared by the writers' verbs: the first of at least {@code minLength} bytes. */
    private static final class Corruption
    {
        private final int minLength;
        private int length;
        private int offset = -1;

        Corruption(final int minLength)
        {
            this.minLength = minLength;
        }

        /** Flips one byte of the source of the first write long enough, before it is posted. */
        void apply(final long localAddress, final int writeLength)
        {
            if (offset < 0 && writeLength >= minLength)
            {
                length = writeLength;
                offset = (writeLength / 2) & ~7 | 3;
                final UnsafeBuffer source = new UnsafeBuffer(localAddress, writeLength);
                source.putByte(offset, (byte)~source.getByte(offset));
            }
        }
    }
}
