package io.ramcast.multicast;

import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * An {@link AcceptorJournal} in segment files of a directory (a replica keeps it in
 * {@code <dataDir>/ramcast-journal}).
 *
 * <p>A record survives a crash of the process (kill -9) as soon as it is written: the page cache
 * holds it. How it gets there depends on whether {@link #sync()} forces (durability {@code fsync}):
 * <ul>
 *   <li>without fsync, records are copied into a memory mapping of the segment (no system call per
 *       record; the kernel writes the pages back in its own time);</li>
 *   <li>with fsync, each record is written with {@code write(2)} and {@link #sync()} runs
 *       {@code fdatasync}. Forcing a range of a mapping ({@code msync}) instead writes back every
 *       page-cache folio the range touches whole, and on kernels that give file mappings large folios
 *       (ext4 on Linux 6.16 and later) the folios grow as the mapping is faulted in sequentially:
 *       measured here, 4 KiB written back per force at the start of a segment and 270 KB per force
 *       of 8 KiB 30 MiB into it (ARCHITECTURE.md, "The acceptor journal on disk"). Small writes keep
 *       small folios.</li>
 * </ul>
 * Segments are named {@code segment-<index>.journal}; a segment starts with BEGIN (it starts a
 * checkpoint) or CONTINUE (it continues the previous one: a record did not fit, or the journal was
 * reopened with fsync). A checkpoint writes a new segment; once its END marker is written and forced
 * every older segment is deleted.
 *
 * <p>Opening picks the newest segment that starts a checkpoint whose END was written, replays it
 * and the contiguous CONTINUE segments after it, and deletes every other segment (older ones,
 * and a checkpoint a crash cut short). The bytes after the last whole frame (a torn write) are
 * removed before appending resumes: without fsync they are zeroed and appending goes on in the last
 * segment; with fsync the last segment is cut at its last whole frame and appending goes on in a new
 * CONTINUE segment, whose pages no read has brought into the page cache.
 *
 * <p>Threading: the server's agent thread. Errors: I/O failures throw {@link UncheckedIOException}.
 */
public final class FileAcceptorJournal implements AcceptorJournal
{
    /** The journal's directory name inside a replica's data directory. */
    public static final String DIRECTORY = "ramcast-journal";
    /** Default segment size: 64 MiB (sparse until written). */
    public static final int DEFAULT_SEGMENT_BYTES = 64 << 20;

    private static final Logger LOG = LoggerFactory.getLogger(FileAcceptorJournal.class);
    /**
     * More segments than this since the last checkpoint want one, however little they hold: with fsync
     * every reopening starts a segment, and a replica restarted again and again must not pile them up.
     */
    static final int MAX_SEGMENTS_BETWEEN_CHECKPOINTS = 8;
    private static final Pattern NAME = Pattern.compile("segment-(\\d{20})\\.journal");

    private final Path directory;
    private final int segmentBytes;
    private final boolean fsync;
    private final JournalRecords.Encoder encoder = new JournalRecords.Encoder(this::append);
    /** Writes a segment's first marker: its own buffer, since a segment starts in the middle of an append. */
    private final JournalRecords.Encoder segmentMarkers = new JournalRecords.Encoder(this::appendInSegment);
    /** Segments replayed at open: the checkpoint and its continuations, in order. */
    private final List<Path> replaySegments = new ArrayList<>();
    private long index;
    /** The segment appended to. */
    private Segment active;
    private int position;
    private int syncedUpTo;
    private long bytesSinceCheckpoint;
    /** Segments since the last checkpoint's first, itself included. */
    private int segmentsSinceCheckpoint;
    private boolean inCheckpoint;

    private FileAcceptorJournal(final Path directory, final int segmentBytes, final boolean fsync)
    {
        this.directory = directory;
        this.segmentBytes = segmentBytes;
        this.fsync = fsync;
    }

    /**
     * Opens (or creates) the journal in {@code directory}.
     *
     * @param directory    the journal's directory; created if missing.
     * @param segmentBytes the size of a segment; a checkpoint is wanted once three quarters of one is used.
     * @param fsync        whether {@link #sync()} forces writes to the device.
     * @return the journal, positioned to append after its last whole record.
     */
    public static FileAcceptorJournal open(final Path directory, final int segmentBytes, final boolean fsync)
    {
        if (segmentBytes < 4096)
        {
            throw new IllegalArgumentException("segmentBytes " + segmentBytes + " is below 4096");
        }
        final FileAcceptorJournal journal = new FileAcceptorJournal(directory, segmentBytes, fsync);
        try
        {
            Files.createDirectories(directory);
            journal.recover();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open the acceptor journal in " + directory, ex);
        }
        return journal;
    }

    private record Scanned(long index, Path path, byte first, boolean complete, int end, long size)
    {
    }

    private void recover() throws IOException
    {
        final List<Scanned> scanned = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory))
        {
            for (final Path p : (Iterable<Path>)files.sorted()::iterator)
            {
                final Matcher m = NAME.matcher(p.getFileName().toString());
                if (!m.matches())
                {
                    continue;
                }
                final MappedByteBuffer map = map(p, Files.size(p));
                try
                {
                    final JournalRecords.ReadResult r = JournalRecords.read(new UnsafeBuffer(map), map.capacity(), null);
                    scanned.add(new Scanned(Long.parseLong(m.group(1)), p, r.firstType(), r.checkpointComplete(),
                        r.end(), map.capacity()));
                }
                finally
                {
                    IoUtil.unmap(map);
                }
            }
        }
        int start = -1;
        int last = -1;
        for (int i = scanned.size() - 1; i >= 0 && start < 0; i--)
        {
            if (scanned.get(i).first() != JournalRecords.BEGIN)
            {
                continue;
            }
            boolean complete = scanned.get(i).complete();
            int j = i;
            while (j + 1 < scanned.size() && scanned.get(j + 1).index() == scanned.get(j).index() + 1 &&
                scanned.get(j + 1).first() == JournalRecords.CONTINUE)
            {
                j++;
                complete |= scanned.get(j).complete();
            }
            if (complete)
            {
                start = i;
                last = j;
            }
        }
        for (int i = 0; i < scanned.size(); i++)
        {
            if (i < start || i > last)
            {
                Files.delete(scanned.get(i).path());
                LOG.info("acceptor journal {}: deleted {} ({})", directory, scanned.get(i).path().getFileName(),
                    i < start ? "older than the last checkpoint" : "after the last whole checkpoint: cut short by a crash");
            }
        }
        if (start < 0)
        {
            index = scanned.isEmpty() ? 0 : scanned.get(scanned.size() - 1).index() + 1;
            startSegment(JournalRecords.BEGIN, segmentBytes);
            encoder.marker(JournalRecords.END);
            sync();
            return;
        }
        for (int i = start; i <= last; i++)
        {
            replaySegments.add(scanned.get(i).path());
            bytesSinceCheckpoint += scanned.get(i).end();
        }
        final Scanned tail = scanned.get(last);
        segmentsSinceCheckpoint = last - start + 1;
        index = tail.index();
        if (fsync)
        {
            try (FileChannel ch = FileChannel.open(tail.path(), StandardOpenOption.WRITE))
            {
                ch.truncate(tail.end()); // a torn frame is not read again
                ch.force(true);
            }
            index++;
            startSegment(JournalRecords.CONTINUE, segmentBytes);
            sync();
            return;
        }
        final MappedSegment reopened = new MappedSegment(map(tail.path(), tail.size()));
        position = tail.end();
        reopened.zeroFrom(position); // a torn frame is not read again
        active = reopened;
        syncedUpTo = position;
    }

    private static MappedByteBuffer map(final Path path, final long size) throws IOException
    {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE))
        {
            return ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
        }
    }

    private Path segmentPath(final long i)
    {
        return directory.resolve(String.format("segment-%020d.journal", i));
    }

    /**
     * Creates segment {@link #index} (a new file that holds up to {@code capacity} bytes: mapped whole
     * without fsync, written as it grows with fsync) and writes its first marker.
     */
    private void startSegment(final byte marker, final int capacity)
    {
        final Path path = segmentPath(index);
        try
        {
            Files.deleteIfExists(path);
            active = fsync ? new WrittenSegment(path, capacity) : new MappedSegment(map(path, capacity));
            if (fsync)
            {
                DurableFiles.forceDirectory(directory);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create a segment of the acceptor journal in " + directory, ex);
        }
        position = 0;
        syncedUpTo = 0;
        segmentsSinceCheckpoint = marker == JournalRecords.BEGIN ? 1 : segmentsSinceCheckpoint + 1;
        segmentMarkers.marker(marker);
    }

    private void append(final DirectBuffer frame, final int length)
    {
        if (active != null && position + length > active.capacity())
        {
            active.close(fsync); // rare: a segment filled up between checkpoints
            index++;
            startSegment(JournalRecords.CONTINUE, Math.max(segmentBytes, 2 * (length + JournalRecords.FRAME_OVERHEAD)));
        }
        appendInSegment(frame, length);
    }

    private void appendInSegment(final DirectBuffer frame, final int length)
    {
        active.put(position, frame, length);
        position += length;
        bytesSinceCheckpoint += length;
    }

    @Override
    public Records write()
    {
        return encoder;
    }

    @Override
    public long replay(final Records into)
    {
        long records = 0;
        for (final Path p : replaySegments)
        {
            try
            {
                final MappedByteBuffer map = map(p, Files.size(p));
                try
                {
                    records += JournalRecords.read(new UnsafeBuffer(map), map.capacity(), into).records();
                }
                finally
                {
                    IoUtil.unmap(map);
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot replay " + p, ex);
            }
        }
        return records;
    }

    @Override
    public boolean wantsCheckpoint()
    {
        return !inCheckpoint &&
            (bytesSinceCheckpoint > segmentBytes / 4L * 3 || segmentsSinceCheckpoint > MAX_SEGMENTS_BETWEEN_CHECKPOINTS);
    }

    @Override
    public void checkpoint(final java.util.function.Consumer<Records> writer)
    {
        final long firstOld;
        try (Stream<Path> files = Files.list(directory))
        {
            firstOld = files.map(p -> NAME.matcher(p.getFileName().toString())).filter(Matcher::matches)
                .mapToLong(m -> Long.parseLong(m.group(1))).min().orElse(index);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list the acceptor journal " + directory, ex);
        }
        final long lastOld = index;
        sync();
        active.close(false);
        inCheckpoint = true;
        try
        {
            index++;
            bytesSinceCheckpoint = 0;
            startSegment(JournalRecords.BEGIN, segmentBytes);
            writer.accept(encoder);
            encoder.marker(JournalRecords.END);
            forceAll();
        }
        finally
        {
            inCheckpoint = false;
        }
        for (long i = firstOld; i <= lastOld; i++)
        {
            try
            {
                Files.deleteIfExists(segmentPath(i));
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot delete an old segment of the acceptor journal " + directory, ex);
            }
        }
        replaySegments.clear();
        LOG.debug("acceptor journal {}: checkpoint of {} bytes in segment {}", directory, position, index);
    }

    /** Forces what the checkpoint wrote (always: an old segment is deleted only after its successor is whole). */
    private void forceAll()
    {
        active.force(0, position);
        syncedUpTo = position;
        try
        {
            DurableFiles.forceDirectory(directory);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot force the acceptor journal directory " + directory, ex);
        }
    }

    @Override
    public boolean syncsBeforeSending()
    {
        return fsync;
    }

    @Override
    public void sync()
    {
        if (!fsync)
        {
            return;
        }
        if (position > syncedUpTo)
        {
            active.force(syncedUpTo, position);
            syncedUpTo = position;
        }
    }

    @Override
    public long sizeBytes()
    {
        return bytesSinceCheckpoint;
    }

    /** @return the journal's directory. */
    public Path directory()
    {
        return directory;
    }

    @Override
    public void close()
    {
        if (active != null)
        {
            active.close(true);
            active = null;
        }
    }

    /** The segment appended to, as a mapping or as a file written with system calls. */
    private interface Segment
    {
        /** @return the bytes the segment may hold. */
        int capacity();

        /** Writes {@code length} bytes of {@code frame} at {@code position}, the end of what was written. */
        void put(int position, DirectBuffer frame, int length);

        /** Makes bytes {@code [from, to)} survive a power loss ({@code from == to}: nothing). */
        void force(int from, int to);

        /** Releases the segment, forcing everything written first if {@code force}. */
        void close(boolean force);
    }

    /** A segment as a memory mapping of its whole capacity: a record is in the page cache once copied. */
    private static final class MappedSegment implements Segment
    {
        private final MappedByteBuffer mapped;
        private final UnsafeBuffer buffer;

        MappedSegment(final MappedByteBuffer mapped)
        {
            this.mapped = mapped;
            this.buffer = new UnsafeBuffer(mapped);
        }

        @Override
        public int capacity()
        {
            return buffer.capacity();
        }

        @Override
        public void put(final int position, final DirectBuffer frame, final int length)
        {
            buffer.putBytes(position, frame, 0, length);
        }

        @Override
        public void force(final int from, final int to)
        {
            if (to > from)
            {
                mapped.force(from, to - from);
            }
        }

        /** Zeroes everything from {@code position} to the end (a reopened segment's torn tail). */
        void zeroFrom(final int position)
        {
            buffer.setMemory(position, buffer.capacity() - position, (byte)0);
        }

        @Override
        public void close(final boolean force)
        {
            if (force)
            {
                mapped.force();
            }
            IoUtil.unmap(mapped);
        }
    }

    /**
     * A segment written with {@code write(2)}, one call per record, and forced with {@code fdatasync}:
     * the file grows as it is written, up to {@link #capacity()}.
     */
    private static final class WrittenSegment implements Segment
    {
        private final Path path;
        private final FileChannel channel;
        private final int capacity;
        private ByteBuffer scratch = ByteBuffer.allocateDirect(4096);
        private final UnsafeBuffer scratchView = new UnsafeBuffer(scratch);

        WrittenSegment(final Path path, final int capacity) throws IOException
        {
            this.path = path;
            this.capacity = capacity;
            this.channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }

        @Override
        public int capacity()
        {
            return capacity;
        }

        @Override
        public void put(final int position, final DirectBuffer frame, final int length)
        {
            if (scratch.capacity() < length)
            {
                scratch = ByteBuffer.allocateDirect(Integer.highestOneBit(length) << 1);
                scratchView.wrap(scratch);
            }
            scratchView.putBytes(0, frame, 0, length);
            scratch.clear().limit(length);
            try
            {
                long at = position;
                while (scratch.hasRemaining())
                {
                    at += channel.write(scratch, at);
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot write to the acceptor journal segment " + path, ex);
            }
        }

        @Override
        public void force(final int from, final int to)
        {
            if (to > from)
            {
                try
                {
                    channel.force(false);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException("cannot force the acceptor journal segment " + path, ex);
                }
            }
        }

        @Override
        public void close(final boolean force)
        {
            try (channel)
            {
                if (force)
                {
                    channel.force(false);
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot close the acceptor journal segment " + path, ex);
            }
        }
    }

    @Override
    public String toString()
    {
        return "FileAcceptorJournal{" + directory + ", segment " + index + ", " + bytesSinceCheckpoint + " bytes}";
    }
}
