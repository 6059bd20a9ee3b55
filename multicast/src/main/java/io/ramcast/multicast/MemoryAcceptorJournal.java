package io.ramcast.multicast;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

/**
 * {@link AcceptorJournal#inMemory}: frames in a growable array, in the format of
 * {@link JournalRecords}. A simulated restart hands the same object to the new server, which replays
 * it like a file journal after a crash of the process.
 */
final class MemoryAcceptorJournal implements AcceptorJournal
{
    private final int checkpointBytes;
    private ExpandableArrayBuffer frames = new ExpandableArrayBuffer(4096);
    private int length;
    private final JournalRecords.Encoder encoder = new JournalRecords.Encoder(this::append);
    private long checkpoints;

    MemoryAcceptorJournal(final int checkpointBytes)
    {
        this.checkpointBytes = checkpointBytes;
        encoder.marker(JournalRecords.BEGIN);
        encoder.marker(JournalRecords.END);
    }

    private void append(final DirectBuffer frame, final int frameLength)
    {
        frames.putBytes(length, frame, 0, frameLength);
        length += frameLength;
    }

    @Override
    public Records write()
    {
        return encoder;
    }

    @Override
    public long replay(final Records into)
    {
        final JournalRecords.ReadResult r = JournalRecords.read(frames, length, into);
        if (r.end() != length)
        {
            throw new IllegalStateException("in-memory journal unreadable at byte " + r.end() + " of " + length);
        }
        return r.records();
    }

    @Override
    public boolean wantsCheckpoint()
    {
        return length > checkpointBytes;
    }

    @Override
    public void checkpoint(final java.util.function.Consumer<Records> writer)
    {
        frames = new ExpandableArrayBuffer(Math.max(4096, length / 2));
        length = 0;
        encoder.marker(JournalRecords.BEGIN);
        writer.accept(encoder);
        encoder.marker(JournalRecords.END);
        checkpoints++;
    }

    /** @return checkpoints written, for tests. */
    long checkpoints()
    {
        return checkpoints;
    }

    @Override
    public boolean syncsBeforeSending()
    {
        return false;
    }

    @Override
    public void sync()
    {
    }

    @Override
    public long sizeBytes()
    {
        return length;
    }

    @Override
    public void close()
    {
    }
}
