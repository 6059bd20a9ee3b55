package io.ramcast.multicast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FileAcceptorJournal} over real files, mapped (no fsync) and written (fsync): what is
 * written is replayed after the journal is dropped without closing (a killed process), a torn last
 * frame ends the journal and is written over, a checkpoint replaces everything older, a checkpoint
 * cut short leaves the old journal in force, a record larger than what is left of a segment
 * continues in the next one, reopenings do not pile up segments, and a sync deep into a segment
 * writes back about what was appended.
 */
class FileAcceptorJournalTest
{
    private static final int SEGMENT = 64 * 1024;

    @TempDir
    Path dir;

    /** Records every record as a line, to compare what was written with what is replayed. */
    static final class Recorder implements AcceptorJournal.Records
    {
        final List<String> lines = new ArrayList<>();

        @Override
        public void body(final long messageId, final int clientOrdinal, final int[] destinations, final long[] ringSeqs,
            final byte[] payload)
        {
            lines.add("body " + messageId + " " + clientOrdinal + " " + Arrays.toString(destinations) + " " +
                Arrays.toString(ringSeqs) + " " + (payload == null ? "-" : Arrays.toString(payload)));
        }

        @Override
        public void proposal(final long messageId, final int group, final long proposalBallot, final long value,
            final long streamBallot, final long streamSeq)
        {
            lines.add("proposal " + messageId + " " + group + " " + proposalBallot + " " + value + " " + streamBallot +
                " " + streamSeq);
        }

        @Override
        public void streamPosition(final long ballot, final long seq, final long reissuedUpTo)
        {
            lines.add("stream " + ballot + " " + seq + " " + reissuedUpTo);
        }

        @Override
        public void forget(final long ballot)
        {
            lines.add("forget " + ballot);
        }

        @Override
        public void delivered(final long messageId, final long finalValue, final int finalGroup)
        {
            lines.add("delivered " + messageId + " " + finalValue + " " + finalGroup);
        }

        @Override
        public void forgotten(final long messageId, final long finalValue, final int finalGroup)
        {
            lines.add("forgotten " + messageId + " " + finalValue + " " + finalGroup);
        }

        @Override
        public void ringOp(final int op, final int clientOrdinal, final long argument)
        {
            lines.add("ring " + op + " " + clientOrdinal + " " + argument);
        }

        @Override
        public void ringRow(final int clientOrdinal, final ClientRings.RowState row)
        {
            lines.add("row " + clientOrdinal + " " + row.nextRingSeq() + " " + row.freedUpTo() + " " + row.takenUpTo() +
                " " + row.lastSequence() + " " + Arrays.toString(row.freedAhead()) + " " +
                Arrays.toString(row.takenAhead()) + " " + Arrays.toString(row.skippedBelow()));
        }
    }

    /** Writes a mix of every record kind, numbered from {@code from}, into both sinks. */
    private static void writeMix(final AcceptorJournal.Records a, final Recorder b, final int from, final int count)
    {
        for (final AcceptorJournal.Records w : new AcceptorJournal.Records[] {a, b})
        {
            for (int i = from; i < from + count; i++)
            {
                w.body(i, i % 4, new int[] {0, 2}, new long[] {i, i + 1}, i % 5 == 0 ? null : new byte[] {(byte)i, 7});
                w.proposal(i, i % 3, 100 + i, 1000L + i, 200, i);
                w.streamPosition(200, i, i);
                w.ringOp(ClientRings.Op.FREE, i % 4, i);
                if (i % 7 == 0)
                {
                    w.forget(300 + i);
                    w.delivered(i, 5000L + i, 1);
                    w.forgotten(i - 1, 4999L + i, 2);
                    w.ringRow(i % 4, new ClientRings.RowState(i, i - 1, i + 2, i * 3L, new long[] {i + 5},
                        new long[] {}, new long[] {i - 3, i - 2}));
                }
            }
        }
    }

    private static List<String> replay(final AcceptorJournal journal)
    {
        final Recorder r = new Recorder();
        final long n = journal.replay(r);
        assertThat(n).isEqualTo(r.lines.size());
        return r.lines;
    }

    private List<Path> segments() throws IOException
    {
        try (Stream<Path> s = Files.list(dir.resolve("j")))
        {
            return s.sorted().toList();
        }
    }

    @ParameterizedTest(name = "fsync {0}")
    @ValueSource(booleans = {false, true})
    void shouldReplayWhatWasWrittenAfterADropWithoutClose(final boolean fsync)
    {
        final Recorder expected = new Recorder();
        final FileAcceptorJournal first = FileAcceptorJournal.open(dir.resolve("j"), SEGMENT, fsync);
        assertThat(replay(first)).isEmpty();
        writeMix(first.write(), expected, 1, 50);
        // no close() and no sync(): the page cache holds what a killed process leaves behind

        final FileAcceptorJournal second = FileAcceptorJournal.open(dir.resolve("j"), SEGMENT, fsync);
        assertThat(replay(second)).isEqualTo(expected.lines);
        writeMix(second.write(), expected, 51, 10);
        second.close();
        final FileAcceptorJournal third = FileAcceptorJournal.open(dir.resolve("j"), SEGMENT, !fsync);
        assertThat(replay(third)).as("a journal reopened with the other durability").isEqualTo(expected.lines);
        writeMix(third.write(), expected, 61, 10);
        third.close();
        final FileAcceptorJournal fourth = FileAcceptorJournal.open(dir.resolve("j"), SEGMENT, fsync);
        assertThat(replay(fourth)).isEqualTo(expected.lines);
        fourth.close();
    }

    @ParameterizedTest(name = "fsync {0}")
    @ValueSource(booleans = {false, true})
    void shouldEndAtATornFrameAndWriteOverIt(final boolean fsync) throws IOException
    {
        final Recorder expected = new Recorder();
        final FileAcceptorJournal first = FileAcceptorJournal.open(dir.resolve("j"), SEGMENT, fsync);
        writeMix(first.write(), expected, 1, 20);
        first.write().streamPosition(999, 999, 999); // torn below: its checksum no longer matches
        first.close();
        final Path segment = segments().get(0);
        final JournalRecords.ReadResult whole = readSegment(segment);
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw"))
        {
            f.seek(whole.end() - 6);
            f.write(0x5a); // a byte of the last frame's payload
        }
        final int lastWhole = readSegment(segment).end();
        assertThat(lastWhole).isLessThan(whole.end());

        final FileAcceptorJournal second = FileAcceptorJournal.open(dir.resolve("j"), SEGMENT, fsync);
        assertThat(replay(second)).isEqualTo(expected.lines);
        if (fsync)
        {
            assertThat(Files.size(segment)).as("cut at its last whole frame").isEqualTo(lastWhole);
            assertThat(segments()).as("appending goes on in a new segment").hasSize(2);
        }
        writeMix(second.write(), expected, 100, 3);
        second.close();
        final FileAcceptorJournal third = FileAcceptorJournal.open(dir.resolve("j"), SEGMENT, fsync);
        assertThat(replay(third)).isEqualTo(expected.lines);
        third.close();
    }

    @Test
    void shouldCheckpointOnceReopeningsHaveLeftManySegments() throws IOException
    {
        final Recorder expected = new Recorder();
        FileAcceptorJournal journal = FileAcceptorJournal.open(dir.resolve("j"), SEGMENT, true);
        writeMix(journal.write(), expected, 1, 5);
        journal.close();
        for (int i = 0; i < FileAcceptorJournal.MAX_SEGMENTS_BETWEEN_CHECKPOINTS; i++)
        {
            journal = FileAcceptorJournal.open(dir.resolve("j"), SEGMENT, true);
            assertThat(replay(journal)).isEqualTo(expected.lines);
            assertThat(journal.wantsCheckpoint()).as("after reopening %d times", i + 1)
                .isEqualTo(i + 1 == FileAcceptorJournal.MAX_SEGMENTS_BETWEEN_CHECKPOINTS);
            journal.close();
        }
        assertThat(segments()).hasSize(FileAcceptorJournal.MAX_SEGMENTS_BETWEEN_CHECKPOINTS + 1);
        journal = FileAcceptorJournal.open(dir.resolve("j"), SEGMENT, true);
        final Recorder state = new Recorder();
        journal.checkpoint(w -> writeMix(w, state, 1, 5));
        assertThat(segments()).hasSize(1);
        assertThat(journal.wantsCheckpoint()).isFalse();
        journal.close();
    }

    /**
     * With fsync, what a sync writes back stays close to what was appended since the last one, however
     * far into its segment the journal is. Forcing a range of a memory mapping did not: on this
     * machine's kernel (Linux 6.18, ext4) a mapping faulted in sequentially gets ever larger page-cache
     * folios and {@code msync} writes each one it touches whole, so 30 MiB into a segment every force
     * of a few KiB wrote back hundreds of KiB. Reads the process's own {@code write_bytes}
     * ({@code /proc/self/io}: bytes it dirtied for the device); skipped where there is none.
     */
    @Test
    void shouldWriteBackAboutWhatWasAppendedPerSyncDeepIntoASegment() throws IOException
    {
        final Path io = Path.of("/proc/self/io");
        Assumptions.assumeTrue(Files.isReadable(io), "no /proc/self/io here");
        final FileAcceptorJournal journal = FileAcceptorJournal.open(dir.resolve("j"), 64 << 20, true);
        final byte[] payload = new byte[1000];
        final int perSync = 8;
        long id = 0;
        while (journal.sizeBytes() < 30 << 20)
        {
            for (int i = 0; i < perSync; i++, id++)
            {
                journal.write().body(id, 0, new int[] {0}, new long[] {id}, payload);
            }
            journal.sync();
        }
        final long appendedBefore = journal.sizeBytes();
        final long writtenBefore = writeBytes(io);
        final int syncs = 200;
        for (int s = 0; s < syncs; s++)
        {
            for (int i = 0; i < perSync; i++, id++)
            {
                journal.write().body(id, 0, new int[] {0}, new long[] {id}, payload);
            }
            journal.sync();
        }
        final long appended = journal.sizeBytes() - appendedBefore;
        final long written = writeBytes(io) - writtenBefore;
        journal.close();
        assertThat(written / syncs).as("bytes written back per sync, %d appended per sync", appended / syncs)
            .isLessThanOrEqualTo(appended / syncs + 16 * 1024);
    }

    private static long writeBytes(final Path io) throws IOException
    {
        for (final String line : Files.readAllLines(io))
        {
            if (line.startsWith("write_bytes:"))
            {
                return Long.parseLong(line.substring("write_bytes:".length()).trim());
            }
        }
        throw new IllegalStateException("no write_bytes in " + io);
    }

    private static JournalRecords.ReadResult readSegment(final Path segment) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(segment);
        return JournalRecords.read(new org.agrona.concurrent.UnsafeBuffer(bytes), bytes.length, null);
    }

    @Test
    void shouldReplaceEverythingOlderWithACheckpoint() throws IOException
    {
        final FileAcceptorJournal journal = FileAcceptorJournal.open(dir.resolve("j"), SEGMENT, false);
        int next = 1;
        final Recorder ignored = new Recorder();
        while (!journal.wantsCheckpoint())
        {
            writeMix(journal.write(), ignored, next, 10);
            next += 10;
        }
        assertThat(segments()).hasSizeGreaterThanOrEqualTo(1);
        final Recorder expected = new Recorder();
        journal.checkpoint(w -> writeMix(w, expected, 7000, 5));
        assertThat(journal.wantsCheckpoint()).isFalse();
        assertThat(segments()).hasSize(1);
        writeMix(journal.write(), expected, 8000, 5);

        final FileAcceptorJournal reopened = FileAcceptorJournal.open(dir.resolve("j"), SEGMENT, false);
        assertThat(replay(reopened)).isEqualTo(expected.lines);
        reopened.close();
    }

    @Test
    void shouldKeepTheOldJournalWhenACheckpointIsCutShort() throws IOException
    {
        final Recorder expected = new Recorder();
        final FileAcceptorJournal journal = FileAcceptorJournal.open(dir.resolve("j"), SEGMENT, false);
        writeMix(journal.write(), expected, 1, 30);
        assertThatThrownBy(() -> journal.checkpoint(w ->
        {
            writeMix(w, new Recorder(), 500, 3);
            throw new IllegalStateException("the process dies in the middle of its checkpoint");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(segments()).hasSize(2);

        final FileAcceptorJournal reopened = FileAcceptorJournal.open(dir.resolve("j"), SEGMENT, false);
        assertThat(replay(reopened)).isEqualTo(expected.lines);
        assertThat(segments()).as("the checkpoint cut short is deleted").hasSize(1);
        reopened.close();
    }

    @Test
    void shouldContinueARecordThatDoesNotFitInTheNextSegment() throws IOException
    {
        final Recorder expected = new Recorder();
        final FileAcceptorJournal journal = FileAcceptorJournal.open(dir.resolve("j"), SEGMENT, false);
        final byte[] big = new byte[SEGMENT / 3];
        Arrays.fill(big, (byte)3);
        for (int i = 0; i < 4; i++)
        {
            journal.write().body(i, 0, new int[] {1}, new long[] {i}, big);
            expected.body(i, 0, new int[] {1}, new long[] {i}, big);
        }
        final byte[] huge = new byte[SEGMENT * 2];
        journal.write().body(9, 1, new int[] {0}, new long[] {9}, huge);
        expected.body(9, 1, new int[] {0}, new long[] {9}, huge);
        assertThat(segments()).hasSizeGreaterThanOrEqualTo(3);

        final FileAcceptorJournal reopened = FileAcceptorJournal.open(dir.resolve("j"), SEGMENT, false);
        assertThat(replay(reopened)).isEqualTo(expected.lines);
        reopened.close();
    }

    @Test
    void shouldRefuseASegmentSizeTooSmall()
    {
        assertThatThrownBy(() -> FileAcceptorJournal.open(dir.resolve("j"), 100, false))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4096");
    }
}
