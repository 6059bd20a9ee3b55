package io.ramcast.multicast;

import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
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
 * An {@link AcceptorJournal} in memory-mapped segment files of a directory (a replica keeps it in
 * {@code <dataDir>/ramcast-journal}).
 *
 * <p>Records are copied into the mapping of the current segment, so a record survives a crash of
 * the process (kill -9) as soon as it is written: the page cache holds it. {@link #sync()} forces
 * the written range to the device (durability {@code fsync}). Segments are named
 * {@code segment-<index>.journal}; a segment starts with BEGIN (it starts a checkpoint) or CONTINUE
 * (it continues the previous one when a record did not fit). A checkpoint writes a new segment;
 * once its END marker is written (and, with fsync, forced) every older segment is deleted.
 *
 * <p>Opening picks the newest segment that starts a checkpoint whose END was written, replays it
 * and the contiguous CONTINUE segments after it, and deletes every other segment (older ones,
 * and a checkpoint a crash cut short). The bytes after the last whole frame (a torn write) are
 * zeroed before appending resumes.
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
    private MappedByteBuffer mapped;
    private UnsafeBuffer active;
    private int position;
    private int syncedUpTo;
    private long bytesSinceCheckpoint;
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
                    i < start ? "older than the last checkpoint" : "a checkpoint cut short by a crash");
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
        }
        final Scanned tail = scanned.get(last);
        index = tail.index();
        mapped = map(tail.path(), tail.size());
        active = new UnsafeBuffer(mapped);
        position = tail.end();
        active.setMemory(position, active.capacity() - position, (byte)0); // a torn frame is not read again
        syncedUpTo = 0;
        sync();
        for (int i = start; i <= last; i++)
        {
            bytesSinceCheckpoint += scanned.get(i).end();
        }
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

    /** Maps segment {@link #index} (a new file of {@code size} bytes) and writes its first marker. */
    private void startSegment(final byte marker, final int size)
    {
        try
        {
            final Path path = segmentPath(index);
            Files.deleteIfExists(path);
            mapped = map(path, size);
            if (fsync)
            {
                DurableFiles.forceDirectory(directory);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create a segment of the acceptor journal in " + directory, ex);
        }
        active = new UnsafeBuffer(mapped);
        position = 0;
        syncedUpTo = 0;
        segmentMarkers.marker(marker);
    }

    private void append(final DirectBuffer frame, final int length)
    {
        if (active != null && position + length > active.capacity())
        {
            if (fsync)
            {
                mapped.force(); // rare: a segment filled up between checkpoints
            }
            IoUtil.unmap(mapped);
            index++;
            startSegment(JournalRecords.CONTINUE, Math.max(segmentBytes, 2 * (length + JournalRecords.FRAME_OVERHEAD)));
        }
        appendInSegment(frame, length);
    }

    private void appendInSegment(final DirectBuffer frame, final int length)
    {
        active.putBytes(position, frame, 0, length);
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
        return !inCheckpoint && bytesSinceCheckpoint > segmentBytes / 4L * 3;
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
        IoUtil.unmap(mapped);
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
        if (position > 0)
        {
            mapped.force(0, position);
        }
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
            mapped.force(syncedUpTo, position - syncedUpTo);
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
        if (mapped != null)
        {
            mapped.force();
            IoUtil.unmap(mapped);
            mapped = null;
            active = null;
        }
    }

    @Override
    public String toString()
    {
        return "FileAcceptorJournal{" + directory + ", segment " + index + ", " + bytesSinceCheckpoint + " bytes}";
    }
}
