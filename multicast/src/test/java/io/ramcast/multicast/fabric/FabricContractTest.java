package io.ramcast.multicast.fabric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

import io.ramcast.multicast.Await;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract every {@link Fabric} implementation must honour, written once and run against each
 * implementation by a subclass (in the style of Ratis' transport-independent scenario suites).
 *
 * <p>Scenarios run either stepped (every fabric's {@code doWork()} driven from the test thread, which
 * also issues the writes, so each fabric has exactly one driving thread) or with one
 * {@link FabricTestAgent} thread per fabric while the test thread only reads owners' memory.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public abstract class FabricContractTest
{
    /** Longest wait for anything to happen. */
    protected static final Duration AWAIT_TIMEOUT = Duration.ofSeconds(10);

    /** How long "never happens" properties are observed. */
    protected static final Duration QUIET_PERIOD = Duration.ofMillis(100);

    /** Region id used by single-region scenarios. */
    protected static final int REGION_ID = 3;

    private final Map<Integer, Fabric> openFabricById = new LinkedHashMap<>();
    private final List<Fabric> createdFabrics = new ArrayList<>();
    private final Map<Integer, RecordingListener> listenerById = new LinkedHashMap<>();
    private final Set<Integer> pausedIds = new HashSet<>();
    private final List<FabricTestAgent> agents = new ArrayList<>();
    private int[] listeningIds = new int[0];

    /**
     * Creates the endpoint of a process, not started. Called again with the same id after the
     * previous endpoint with that id was closed, to restart the process.
     *
     * @param processId    the process id.
     * @param listeningIds the processes of the scenario that accept connections (for fabrics that
     *                     distinguish servers from clients); {@code processId} may be absent.
     * @return the new endpoint.
     */
    protected abstract Fabric newEndpoint(int processId, int[] listeningIds);

    /**
     * Arranges for writes from {@code writer} to {@code owner} to be issued but not applied until
     * {@link #releaseWrites}.
     *
     * @param writer the writing endpoint.
     * @param owner  the owning endpoint.
     * @return false if the fabric cannot hold writes because they land at issue.
     */
    protected abstract boolean holdWrites(Fabric writer, Fabric owner);

    /**
     * Undoes {@link #holdWrites}.
     *
     * @param writer the writing endpoint.
     * @param owner  the owning endpoint.
     */
    protected abstract void releaseWrites(Fabric writer, Fabric owner);

    @AfterEach
    void closeEverything()
    {
        AssertionError failure = null;
        for (final FabricTestAgent agent : agents)
        {
            try
            {
                agent.close();
            }
            catch (final AssertionError ex)
            {
                failure = null == failure ? ex : failure;
            }
        }
        for (final Fabric fabric : createdFabrics)
        {
            fabric.close();
        }
        if (null != failure)
        {
            throw failure;
        }
    }

    @Test
    void shouldConnectHandleOnceOwnerStarts()
    {
        cluster(1, 2);
        final Fabric writer = started(endpoint(2));
        final RemoteRegion handle = writer.remote(1, REGION_ID);
        assertThat(handle.peerId()).isEqualTo(1);
        assertThat(handle.regionId()).isEqualTo(REGION_ID);
        assertThat(handle.status()).isEqualTo(RemoteRegion.Status.CONNECTING);
        assertThat(handle.sizeBytes()).isEqualTo(-1);
        assertThat(handle.write(0, words(7), 0, 8)).isEqualTo(WriteResult.NOT_CONNECTED);

        final Fabric owner = endpoint(1);
        final LocalRegion region = owner.register(REGION_ID, 64, true);
        owner.start();

        awaitStatus(handle, RemoteRegion.Status.READY);
        assertThat(handle.sizeBytes()).isEqualTo(64);
        assertThat(handle.write(8, words(42), 0, 8)).isEqualTo(WriteResult.ISSUED);
        awaitWord(region, 8, 42);
        assertThat(region.buffer().getLongVolatile(0)).isZero();
    }

    @Test
    void shouldLandMultiWordWriteByteForByte()
    {
        cluster(1, 2);
        final Fabric owner = endpoint(1);
        final LocalRegion region = owner.register(REGION_ID, 128, true);
        final Fabric writer = endpoint(2);
        startAll();
        final RemoteRegion handle = connect(writer, 1, REGION_ID);

        final UnsafeBuffer source = new UnsafeBuffer(new byte[64]);
        for (int i = 0; i < 64; i++)
        {
            source.putByte(i, (byte)(i * 7 + 1));
        }
        assertThat(handle.write(16, source, 8, 40)).isEqualTo(WriteResult.ISSUED);
        source.setMemory(0, 64, (byte)0); // the fabric copied the bytes at issue

        // no placement order within a write: wait for every word, then check every byte
        awaitUntil(() -> region.buffer().getLongVolatile(16) != 0 && region.buffer().getLongVolatile(24) != 0 &&
            region.buffer().getLongVolatile(32) != 0 && region.buffer().getLongVolatile(40) != 0 &&
            region.buffer().getLongVolatile(48) != 0, "every word of the write landed");
        for (int i = 0; i < 128; i++)
        {
            final byte expected = i >= 16 && i < 56 ? (byte)((i - 8) * 7 + 1) : 0;
            assertThat(region.buffer().getByte(i)).as("byte %d", i).isEqualTo(expected);
        }
    }

    @Test
    void shouldMakeWritesVisibleInIssueOrderAcrossRegions()
    {
        final int wordsPerRegion = 4096;
        final int writeCount = 2 * wordsPerRegion;
        cluster(1, 2);
        final Fabric owner = endpoint(1);
        final AtomicBuffer regionA = owner.register(1, wordsPerRegion * 8, true).buffer();
        final AtomicBuffer regionB = owner.register(2, wordsPerRegion * 8, true).buffer();
        final Fabric writer = endpoint(2);
        startAll();
        final RemoteRegion handleA = connect(writer, 1, 1);
        final RemoteRegion handleB = connect(writer, 1, 2);

        // Write k stores k + 1 into word k / 2 of region A (k even) or B (k odd).
        final AtomicInteger issuedCount = new AtomicInteger();
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[8]);
        final IntSupplier writerDuty = () ->
        {
            int k = issuedCount.get();
            final int end = Math.min(writeCount, k + 64);
            final int start = k;
            while (k < end)
            {
                scratch.putLong(0, k + 1);
                final WriteResult result = ((k & 1) == 0 ? handleA : handleB).write((k >> 1) * 8, scratch, 0, 8);
                if (WriteResult.BACK_PRESSURE == result)
                {
                    break;
                }
                assertThat(result).isEqualTo(WriteResult.ISSUED);
                k++;
                issuedCount.set(k);
            }
            return k - start;
        };
        runAgent(owner, () -> 0);
        runAgent(writer, writerDuty);

        final Runnable checkPrefix = () ->
        {
            // Read from the latest issued write down: once one is visible, every earlier one must be.
            boolean laterVisible = false;
            for (int k = issuedCount.get() - 1; k >= 0; k--)
            {
                final long value = ((k & 1) == 0 ? regionA : regionB).getLongVolatile((k >> 1) * 8);
                if (0 != value)
                {
                    assertThat(value).as("word of write %d", k).isEqualTo(k + 1);
                    laterVisible = true;
                }
                else if (laterVisible)
                {
                    throw new AssertionError("write " + k + " is not visible although a later write is");
                }
            }
        };
        Await.until(() -> regionB.getLongVolatile((wordsPerRegion - 1) * 8) == writeCount, AWAIT_TIMEOUT,
            "the last write landed", () ->
            {
                assertAgentsHealthy();
                checkPrefix.run();
            });
        checkPrefix.run();
    }

    /**
     * Issue order with writes larger than a path MTU, and each word placed whole: generation g fills
     * every word of slot g % 2 with g. The words of one write may appear in any order, but once a
     * word of generation g is visible every word of generation g - 1 (the other slot) is.
     */
    @Test
    void shouldPlaceEveryWordWholeAndLargeWritesInIssueOrder()
    {
        final int[] slotOffsets = {0, 32 * 1024};
        final int[] slotLengths = {32 * 1024, 4 * 1024};
        final int generationCount = 200;
        cluster(1, 2);
        final Fabric owner = endpoint(1);
        final AtomicBuffer region = owner.register(REGION_ID, 36 * 1024, true).buffer();
        final Fabric writer = endpoint(2);
        startAll();
        final RemoteRegion handle = connect(writer, 1, REGION_ID);

        final AtomicLong issuedGeneration = new AtomicLong();
        final UnsafeBuffer record = new UnsafeBuffer(new byte[slotLengths[0]]);
        final IntSupplier writerDuty = () ->
        {
            final long generation = issuedGeneration.get() + 1;
            if (generation > generationCount)
            {
                return 0;
            }
            final int slot = (int)(generation & 1);
            for (int i = 0; i < slotLengths[slot]; i += 8)
            {
                record.putLong(i, generation);
            }
            final WriteResult result = handle.write(slotOffsets[slot], record, 0, slotLengths[slot]);
            if (WriteResult.BACK_PRESSURE == result)
            {
                return 0;
            }
            assertThat(result).isEqualTo(WriteResult.ISSUED);
            issuedGeneration.set(generation);
            return 1;
        };
        runAgent(owner, () -> 0);
        runAgent(writer, writerDuty);

        final Runnable checkSlots = () ->
        {
            long newest = 0;
            for (int slot = 0; slot < 2; slot++)
            {
                for (int offset = slotOffsets[slot]; offset < slotOffsets[slot] + slotLengths[slot]; offset += 8)
                {
                    final long word = region.getLongVolatile(offset);
                    if (word < 0 || word > generationCount || (0 != word && (word & 1) != slot))
                    {
                        throw new AssertionError("slot " + slot + ": word at " + offset + " holds " + word +
                            ", which no write of this slot wrote whole");
                    }
                    newest = Math.max(newest, word);
                }
            }
            if (newest < 2)
            {
                return;
            }
            final int previousSlot = (int)((newest - 1) & 1);
            for (int offset = slotOffsets[previousSlot]; offset < slotOffsets[previousSlot] + slotLengths[previousSlot];
                offset += 8)
            {
                final long word = region.getLongVolatile(offset);
                if (word < newest - 1)
                {
                    throw new AssertionError("a word of generation " + newest + " is visible but the word at " +
                        offset + " of generation " + (newest - 1) + "'s write holds " + word);
                }
            }
        };
        Await.until(
            () -> region.getLongVolatile(slotOffsets[0] + slotLengths[0] - 8) == generationCount &&
                region.getLongVolatile(slotOffsets[1] + slotLengths[1] - 8) == generationCount - 1,
            AWAIT_TIMEOUT, "the last generation of both slots is sealed", () ->
            {
                assertAgentsHealthy();
                checkSlots.run();
            });
        checkSlots.run();
    }

    @Test
    void shouldFailWriteAfterRevokeAndNeverLandIt()
    {
        cluster(1, 2);
        final Fabric owner = endpoint(1);
        final LocalRegion region = owner.register(REGION_ID, 64, false);
        region.grant(2);
        final Fabric writer = endpoint(2);
        startAll();
        final RemoteRegion handle = connect(writer, 1, REGION_ID);
        assertThat(handle.write(0, words(11), 0, 8)).isEqualTo(WriteResult.ISSUED);
        awaitWord(region, 0, 11);

        region.revoke(2);
        assertThat(region.isGranted(2)).isFalse();
        assertThat(handle.write(0, words(22), 0, 8)).isIn(WriteResult.ISSUED, WriteResult.REJECTED);

        awaitStatus(handle, RemoteRegion.Status.FAILED);
        awaitUntil(() -> listener(2).rejectionCount(1, REGION_ID) == 1, "the writer was told of the rejection");
        assertThat(handle.write(0, words(33), 0, 8)).isEqualTo(WriteResult.REJECTED);
        assertHolds(() -> region.buffer().getLongVolatile(0) == 11, "writes after the revocation never land");
        assertThat(listener(2).rejectionCount(1, REGION_ID)).isEqualTo(1);
        assertThat(listener(2).peerDownCount(1)).isZero();
    }

    @Test
    void shouldLandWritesAgainAfterGrantAndReset()
    {
        cluster(1, 2);
        final Fabric owner = endpoint(1);
        final LocalRegion region = owner.register(REGION_ID, 64, true);
        final Fabric writer = endpoint(2);
        startAll();
        final RemoteRegion handle = connect(writer, 1, REGION_ID);

        region.revoke(2);
        handle.write(0, words(1), 0, 8);
        awaitStatus(handle, RemoteRegion.Status.FAILED);

        region.grant(2);
        assertThat(region.isGranted(2)).isTrue();
        handle.reset();
        assertThat(handle.status()).isEqualTo(RemoteRegion.Status.READY);
        assertThat(handle.write(8, words(2), 0, 8)).isEqualTo(WriteResult.ISSUED);
        awaitWord(region, 8, 2);
        assertThat(region.buffer().getLongVolatile(0)).isZero();
        assertThat(listener(2).rejectionCount(1, REGION_ID)).isEqualTo(1);
    }

    @Test
    void shouldNotLandWritesWhenResetWithoutGrant()
    {
        cluster(1, 2);
        final Fabric owner = endpoint(1);
        final LocalRegion region = owner.register(REGION_ID, 64, true);
        final Fabric writer = endpoint(2);
        startAll();
        final RemoteRegion handle = connect(writer, 1, REGION_ID);

        region.revoke(2);
        handle.write(0, words(1), 0, 8);
        awaitStatus(handle, RemoteRegion.Status.FAILED);

        handle.reset();
        assertThat(handle.write(0, words(2), 0, 8)).isIn(WriteResult.ISSUED, WriteResult.REJECTED);
        awaitStatus(handle, RemoteRegion.Status.FAILED);
        assertHolds(() -> region.buffer().getLongVolatile(0) == 0, "no write of the revoked writer lands");
    }

    @Test
    void shouldRejectWritesToRegionNeverGranted()
    {
        cluster(1, 2);
        final Fabric owner = endpoint(1);
        final LocalRegion region = owner.register(REGION_ID, 64, false);
        final Fabric writer = endpoint(2);
        startAll();
        assertThat(region.isGranted(2)).isFalse();
        final RemoteRegion handle = connect(writer, 1, REGION_ID);

        assertThat(handle.write(0, words(5), 0, 8)).isIn(WriteResult.ISSUED, WriteResult.REJECTED);
        awaitStatus(handle, RemoteRegion.Status.FAILED);
        awaitUntil(() -> listener(2).rejectionCount(1, REGION_ID) == 1, "the writer was told of the rejection");
        assertHolds(() -> region.buffer().getLongVolatile(0) == 0, "the write of a writer never granted never lands");

        region.grant(2);
        handle.reset();
        assertThat(handle.write(0, words(6), 0, 8)).isEqualTo(WriteResult.ISSUED);
        awaitWord(region, 0, 6);
    }

    @Test
    void shouldNotLandWritesThatHadNotLandedWhenRevokeReturned()
    {
        cluster(1, 2);
        final Fabric owner = endpoint(1);
        final LocalRegion region = owner.register(REGION_ID, 64, true);
        final Fabric writer = endpoint(2);
        startAll();
        final RemoteRegion handle = connect(writer, 1, REGION_ID);
        assertThat(handle.write(0, words(100), 0, 8)).isEqualTo(WriteResult.ISSUED);
        awaitWord(region, 0, 100);

        final boolean held = holdWrites(writer, owner);
        for (int i = 1; i <= 5; i++)
        {
            assertThat(handle.write(i * 8, words(100 + i), 0, 8)).isEqualTo(WriteResult.ISSUED);
        }
        for (int i = 0; i < 20; i++)
        {
            stepAll(); // flush what can be flushed while the owner does not apply
        }
        if (held)
        {
            for (int i = 1; i <= 5; i++)
            {
                assertThat(region.buffer().getLongVolatile(i * 8)).as("held write %d", i).isZero();
            }
        }

        region.revoke(2);
        final byte[] atRevocation = snapshot(region);
        releaseWrites(writer, owner);

        if (held)
        {
            awaitStatus(handle, RemoteRegion.Status.FAILED);
            awaitUntil(() -> listener(2).rejectionCount(1, REGION_ID) == 1, "the writer was told of the rejection");
        }
        assertHolds(() -> Arrays.equals(snapshot(region), atRevocation),
            "nothing lands after revoke returned");
        assertThat(listener(2).rejectionCount(1, REGION_ID)).isEqualTo(held ? 1 : 0);
    }

    @Test
    void shouldLandNothingAfterRevokeReturnsWhileWriterKeepsWriting()
    {
        final long revokeAfterValue = 2_000;
        final long writeLimit = 10_000_000;
        cluster(1, 2);
        final Fabric owner = endpoint(1);
        final LocalRegion region = owner.register(REGION_ID, 64, true);
        final Fabric writer = endpoint(2);
        startAll();
        final RemoteRegion handle = connect(writer, 1, REGION_ID);

        // The writer writes (n, n) into words 0 and 1 until its handle fails; the owner's agent
        // revokes once it has seen enough writes land, and takes a snapshot right after.
        final AtomicLong writerSawFailure = new AtomicLong();
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[16]);
        final long[] next = {1};
        final IntSupplier writerDuty = () ->
        {
            int writes = 0;
            while (writes < 64 && 0 == writerSawFailure.get() && next[0] < writeLimit)
            {
                if (RemoteRegion.Status.FAILED == handle.status())
                {
                    writerSawFailure.set(next[0]);
                    break;
                }
                scratch.putLong(0, next[0]);
                scratch.putLong(8, next[0]);
                final WriteResult result = handle.write(0, scratch, 0, 16);
                if (WriteResult.BACK_PRESSURE == result)
                {
                    break;
                }
                assertThat(result).isIn(WriteResult.ISSUED, WriteResult.REJECTED);
                next[0]++;
                writes++;
            }
            return writes;
        };
        final AtomicReference<byte[]> afterRevoke = new AtomicReference<>();
        final IntSupplier ownerDuty = () ->
        {
            if (null == afterRevoke.get() && region.buffer().getLongVolatile(8) >= revokeAfterValue)
            {
                region.revoke(2);
                afterRevoke.set(snapshot(region));
                return 1;
            }
            return 0;
        };
        runAgent(owner, ownerDuty);
        runAgent(writer, writerDuty);

        Await.until(() -> null != afterRevoke.get() && 0 != writerSawFailure.get(), AWAIT_TIMEOUT,
            "the owner revoked and the writer's handle failed", this::assertAgentsHealthy);
        Await.holdsFor(() -> Arrays.equals(snapshot(region), afterRevoke.get()), QUIET_PERIOD,
            "nothing lands after revoke returned", this::assertAgentsHealthy);
        // the write the revocation cut may have placed one of its words (a torn prefix, no placement
        // order within a write), so the two words come from the same write or from consecutive ones
        final long landed = Math.max(region.buffer().getLongVolatile(0), region.buffer().getLongVolatile(8));
        assertThat(Math.abs(region.buffer().getLongVolatile(0) - region.buffer().getLongVolatile(8)))
            .as("the words come from one write or from the last two before the revocation").isLessThanOrEqualTo(1);
        assertThat(landed).isGreaterThanOrEqualTo(revokeAfterValue);
    }

    @Test
    void shouldKeepOtherWritersPermittedWhenOneIsRevoked()
    {
        cluster(1, 2, 3);
        final Fabric owner = endpoint(1);
        final LocalRegion region = owner.register(REGION_ID, 64, true);
        final Fabric writer2 = endpoint(2);
        final Fabric writer3 = endpoint(3);
        startAll();
        final RemoteRegion handle2 = connect(writer2, 1, REGION_ID);
        final RemoteRegion handle3 = connect(writer3, 1, REGION_ID);

        region.revoke(2);
        assertThat(region.isGranted(3)).isTrue();
        handle2.write(0, words(2), 0, 8);
        assertThat(handle3.write(8, words(3), 0, 8)).isEqualTo(WriteResult.ISSUED);

        awaitWord(region, 8, 3);
        awaitStatus(handle2, RemoteRegion.Status.FAILED);
        assertThat(handle3.status()).isEqualTo(RemoteRegion.Status.READY);
        assertThat(listener(3).rejectionCount(1, REGION_ID)).isZero();
        assertHolds(() -> region.buffer().getLongVolatile(0) == 0, "the revoked writer's write never lands");
    }

    @Test
    void shouldRefuseOutOfBoundsAndUnalignedWritesAtTheWriter()
    {
        cluster(1, 2);
        final Fabric owner = endpoint(1);
        final LocalRegion region = owner.register(REGION_ID, 64, true);
        final Fabric writer = endpoint(2);
        startAll();
        final RemoteRegion handle = connect(writer, 1, REGION_ID);
        assertThat(handle.sizeBytes()).isEqualTo(64);
        final UnsafeBuffer source = words(1, 2, 3);

        assertThatThrownBy(() -> handle.write(64, source, 0, 8)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> handle.write(56, source, 0, 16)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> handle.write(-8, source, 0, 8)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> handle.write(4, source, 0, 8)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> handle.write(0, source, 0, 12)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> handle.write(0, source, 0, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> handle.write(0, source, 0, -8)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> handle.write(Integer.MAX_VALUE - 7, source, 0, 8))
            .isInstanceOf(IndexOutOfBoundsException.class);

        assertHolds(() -> Arrays.equals(snapshot(region), new byte[64]), "refused writes never land");
        assertThat(handle.status()).isEqualTo(RemoteRegion.Status.READY);
        assertThat(handle.write(56, source, 16, 8)).isEqualTo(WriteResult.ISSUED);
        awaitWord(region, 56, 3);
    }

    @Test
    void shouldKeepDataOfConcurrentWritersIntact()
    {
        final int[] writerIds = {2, 3, 4, 100};
        final int wordsPerWriter = 4096;
        final int wordsPerWrite = 4;
        cluster(1, 2, 3, 4);
        final Fabric owner = endpoint(1);
        final AtomicBuffer region = owner.register(REGION_ID, writerIds.length * wordsPerWriter * 8, true).buffer();
        final List<Fabric> writers = new ArrayList<>();
        for (final int writerId : writerIds)
        {
            writers.add(endpoint(writerId));
        }
        startAll();
        final List<RemoteRegion> handles = new ArrayList<>();
        for (final Fabric writer : writers)
        {
            handles.add(connect(writer, 1, REGION_ID));
        }

        runAgent(owner, () -> 0);
        for (int w = 0; w < writerIds.length; w++)
        {
            final int writerId = writerIds[w];
            final int areaOffset = w * wordsPerWriter * 8;
            final RemoteRegion handle = handles.get(w);
            final UnsafeBuffer scratch = new UnsafeBuffer(new byte[wordsPerWrite * 8]);
            final int[] nextWord = {0};
            runAgent(writers.get(w), () ->
            {
                int writes = 0;
                while (nextWord[0] < wordsPerWriter && writes < 32)
                {
                    for (int i = 0; i < wordsPerWrite; i++)
                    {
                        scratch.putLong(i * 8, expectedWord(writerId, nextWord[0] + i));
                    }
                    final WriteResult result = handle.write(areaOffset + nextWord[0] * 8, scratch, 0, scratch.capacity());
                    if (WriteResult.BACK_PRESSURE == result)
                    {
                        break;
                    }
                    assertThat(result).isEqualTo(WriteResult.ISSUED);
                    nextWord[0] += wordsPerWrite;
                    writes++;
                }
                return writes;
            });
        }

        Await.until(() ->
        {
            for (int w = 0; w < writerIds.length; w++)
            {
                final int lastOffset = (w + 1) * wordsPerWriter * 8 - 8;
                if (region.getLongVolatile(lastOffset) != expectedWord(writerIds[w], wordsPerWriter - 1))
                {
                    return false;
                }
            }
            return true;
        }, AWAIT_TIMEOUT, "every writer's last write landed", this::assertAgentsHealthy);

        for (int w = 0; w < writerIds.length; w++)
        {
            for (int i = 0; i < wordsPerWriter; i++)
            {
                assertThat(region.getLongVolatile((w * wordsPerWriter + i) * 8))
                    .as("writer %d word %d", writerIds[w], i).isEqualTo(expectedWord(writerIds[w], i));
            }
        }
    }

    @Test
    void shouldReportPeerDownOnceAndKeepServingOtherPeers()
    {
        cluster(1, 2, 3);
        final Fabric fabric1 = endpoint(1);
        final LocalRegion region1 = fabric1.register(REGION_ID, 64, true);
        final Fabric fabric2 = endpoint(2);
        fabric2.register(REGION_ID, 64, true);
        final Fabric fabric3 = endpoint(3);
        final LocalRegion region3 = fabric3.register(REGION_ID, 64, true);
        startAll();
        final RemoteRegion from1To2 = connect(fabric1, 2, REGION_ID);
        final RemoteRegion from3To2 = connect(fabric3, 2, REGION_ID);
        final RemoteRegion from1To3 = connect(fabric1, 3, REGION_ID);
        final RemoteRegion from3To1 = connect(fabric3, 1, REGION_ID);

        crash(2);

        awaitUntil(() -> listener(1).peerDownCount(2) == 1 && listener(3).peerDownCount(2) == 1,
            "both survivors were told that process 2 is down");
        assertThat(from1To2.status()).isEqualTo(RemoteRegion.Status.PEER_DOWN);
        assertThat(from3To2.status()).isEqualTo(RemoteRegion.Status.PEER_DOWN);
        assertThat(from1To2.write(0, words(1), 0, 8)).isEqualTo(WriteResult.PEER_DOWN);
        assertThat(from3To2.write(0, words(1), 0, 8)).isEqualTo(WriteResult.PEER_DOWN);
        assertThatThrownBy(() -> from1To2.write(64, words(1), 0, 8)).isInstanceOf(IndexOutOfBoundsException.class);

        assertThat(from1To3.write(0, words(13), 0, 8)).isEqualTo(WriteResult.ISSUED);
        assertThat(from3To1.write(0, words(31), 0, 8)).isEqualTo(WriteResult.ISSUED);
        awaitWord(region3, 0, 13);
        awaitWord(region1, 0, 31);
        assertHolds(() -> listener(1).peerDownCount(2) == 1 && listener(3).peerDownCount(2) == 1,
            "process 2's death is reported exactly once");
        assertThat(listener(1).peerDownCount(3)).isZero();
        assertThat(listener(3).peerDownCount(1)).isZero();
        assertThat(from1To3.status()).isEqualTo(RemoteRegion.Status.READY);
    }

    @Test
    void shouldReconnectHandlesToRestartedPeer()
    {
        cluster(1, 2);
        final Fabric fabric1 = endpoint(1);
        final LocalRegion region1 = fabric1.register(REGION_ID, 64, true);
        final Fabric fabric2 = endpoint(2);
        fabric2.register(REGION_ID, 64, true);
        startAll();
        final RemoteRegion from1To2 = connect(fabric1, 2, REGION_ID);
        connect(fabric2, 1, REGION_ID);

        crash(2);
        awaitUntil(() -> listener(1).peerDownCount(2) == 1, "process 1 was told that process 2 is down");
        assertThat(from1To2.write(0, words(1), 0, 8)).isEqualTo(WriteResult.PEER_DOWN);

        final Fabric restarted = endpoint(2);
        final LocalRegion restartedRegion = restarted.register(REGION_ID, 64, true);
        restarted.start();
        awaitStatus(from1To2, RemoteRegion.Status.READY);
        assertThat(from1To2.write(8, words(12), 0, 8)).isEqualTo(WriteResult.ISSUED);
        awaitWord(restartedRegion, 8, 12);
        assertThat(restartedRegion.buffer().getLongVolatile(0)).isZero();

        final RemoteRegion from2To1 = connect(restarted, 1, REGION_ID);
        assertThat(from2To1.write(0, words(21), 0, 8)).isEqualTo(WriteResult.ISSUED);
        awaitWord(region1, 0, 21);
        assertThat(listener(1).peerDownCount(2)).isEqualTo(1);
    }

    @Test
    void shouldWriteOwnRegionThroughSelfHandle()
    {
        cluster(1);
        final Fabric fabric = endpoint(1);
        final LocalRegion region = fabric.register(REGION_ID, 64, true);
        startAll();
        final RemoteRegion self = connect(fabric, 1, REGION_ID);
        assertThat(self.sizeBytes()).isEqualTo(64);
        assertThat(self.write(16, words(5, 6), 0, 16)).isEqualTo(WriteResult.ISSUED);
        awaitWord(region, 24, 6);
        assertThat(region.buffer().getLongVolatile(16)).isEqualTo(5);
    }

    @Test
    void shouldFailHandleToRegionTheOwnerDoesNotHave()
    {
        cluster(1, 2);
        final Fabric owner = endpoint(1);
        owner.register(REGION_ID, 64, true);
        final Fabric writer = endpoint(2);
        startAll();
        final RemoteRegion handle = writer.remote(1, REGION_ID + 1);
        awaitStatus(handle, RemoteRegion.Status.FAILED);
        assertThat(handle.sizeBytes()).isEqualTo(-1);
        assertThat(handle.write(0, words(1), 0, 8)).isEqualTo(WriteResult.REJECTED);
    }

    @Test
    void shouldValidateRegistration()
    {
        cluster(1);
        final Fabric fabric = endpoint(1);
        fabric.register(REGION_ID, 64, true);
        assertThatThrownBy(() -> fabric.register(REGION_ID, 64, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> fabric.register(REGION_ID + 1, 0, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> fabric.register(REGION_ID + 1, 12, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> fabric.register(REGION_ID + 1, -8, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> fabric.register(-1, 64, true)).isInstanceOf(IllegalArgumentException.class);
        fabric.start();
        assertThatThrownBy(() -> fabric.register(REGION_ID + 1, 64, true)).isInstanceOf(IllegalStateException.class);
        assertThat(fabric.selfId()).isEqualTo(1);
    }

    /**
     * Declares the processes of the scenario that listen for connections.
     *
     * @param ids process ids.
     */
    protected final void cluster(final int... ids)
    {
        listeningIds = ids.clone();
    }

    /**
     * Creates (not started) and tracks the endpoint of a process, with a recording listener.
     *
     * @param processId the process id.
     * @return the endpoint.
     */
    protected final Fabric endpoint(final int processId)
    {
        final Fabric fabric = newEndpoint(processId, listeningIds);
        final RecordingListener listener = new RecordingListener();
        fabric.listener(listener);
        openFabricById.put(processId, fabric);
        createdFabrics.add(fabric);
        listenerById.put(processId, listener);
        return fabric;
    }

    /**
     * Excludes a process from {@link #stepAll()}, as if its agent were paused.
     *
     * @param processId the process id.
     */
    protected final void pauseDoWork(final int processId)
    {
        pausedIds.add(processId);
    }

    /**
     * Undoes {@link #pauseDoWork}.
     *
     * @param processId the process id.
     */
    protected final void resumeDoWork(final int processId)
    {
        pausedIds.remove(processId);
    }

    private Fabric started(final Fabric fabric)
    {
        fabric.start();
        return fabric;
    }

    private void startAll()
    {
        for (final Fabric fabric : openFabricById.values())
        {
            fabric.start();
        }
    }

    private void stepAll()
    {
        for (final Map.Entry<Integer, Fabric> entry : openFabricById.entrySet())
        {
            if (!pausedIds.contains(entry.getKey()))
            {
                entry.getValue().doWork();
            }
        }
    }

    private void crash(final int processId)
    {
        openFabricById.remove(processId).close();
    }

    private void runAgent(final Fabric fabric, final IntSupplier duty)
    {
        agents.add(new FabricTestAgent("agent-" + fabric.selfId(), fabric, duty));
    }

    private void assertAgentsHealthy()
    {
        for (final FabricTestAgent agent : agents)
        {
            if (agent.hasFailed())
            {
                agent.close();
            }
        }
    }

    private RecordingListener listener(final int processId)
    {
        return listenerById.get(processId);
    }

    private RemoteRegion connect(final Fabric writer, final int ownerId, final int regionId)
    {
        final RemoteRegion handle = writer.remote(ownerId, regionId);
        awaitStatus(handle, RemoteRegion.Status.READY);
        return handle;
    }

    private void awaitStatus(final RemoteRegion handle, final RemoteRegion.Status status)
    {
        awaitUntil(() -> handle.status() == status, "handle " + handle + " is " + status);
    }

    private void awaitWord(final LocalRegion region, final int offset, final long value)
    {
        awaitUntil(() -> region.buffer().getLongVolatile(offset) == value,
            "word at " + offset + " of region " + region.regionId() + " is " + value);
    }

    private void awaitUntil(final BooleanSupplier condition, final String description)
    {
        Await.until(condition, AWAIT_TIMEOUT, description, this::stepAll);
    }

    private void assertHolds(final BooleanSupplier invariant, final String description)
    {
        Await.holdsFor(invariant, QUIET_PERIOD, description, this::stepAll);
    }

    private static byte[] snapshot(final LocalRegion region)
    {
        final byte[] bytes = new byte[region.buffer().capacity()];
        region.buffer().getLongVolatile(0);
        region.buffer().getBytes(0, bytes);
        return bytes;
    }

    private static long expectedWord(final int writerId, final int wordIndex)
    {
        return ((long)writerId << 32) | (wordIndex + 1);
    }

    private static UnsafeBuffer words(final long... values)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[values.length * 8]);
        for (int i = 0; i < values.length; i++)
        {
            buffer.putLong(i * 8, values[i]);
        }
        return buffer;
    }

    /** Records listener calls; written by agent threads, read by the test thread. */
    private static final class RecordingListener implements FabricListener
    {
        private final Map<Integer, AtomicInteger> peerDownCountById = new ConcurrentHashMap<>();
        private final List<Long> rejections = new CopyOnWriteArrayList<>();

        @Override
        public void onPeerDown(final int peerId)
        {
            peerDownCountById.computeIfAbsent(peerId, id -> new AtomicInteger()).incrementAndGet();
        }

        @Override
        public void onWriteRejected(final int peerId, final int regionId)
        {
            rejections.add(((long)peerId << 32) | regionId);
        }

        int peerDownCount(final int peerId)
        {
            final AtomicInteger count = peerDownCountById.get(peerId);
            return null == count ? 0 : count.get();
        }

        int rejectionCount(final int peerId, final int regionId)
        {
            final long key = ((long)peerId << 32) | regionId;
            int count = 0;
            for (final long rejection : rejections)
            {
                if (rejection == key)
                {
                    count++;
                }
            }
            return count;
        }
    }
}
