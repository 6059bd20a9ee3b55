package io.ramcast.multicast;

/** {@link AcceptorJournal#none()}: writes nothing, replays nothing. */
final class NoJournal implements AcceptorJournal, AcceptorJournal.Records
{
    static final NoJournal INSTANCE = new NoJournal();

    private NoJournal()
    {
    }

    @Override
    public Records write()
    {
        return this;
    }

    @Override
    public long replay(final Records into)
    {
        return 0;
    }

    @Override
    public boolean wantsCheckpoint()
    {
        return false;
    }

    @Override
    public void checkpoint(final java.util.function.Consumer<Records> writer)
    {
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
        return 0;
    }

    @Override
    public void close()
    {
    }

    @Override
    public void body(final long messageId, final int clientOrdinal, final int[] destinations, final long[] ringSeqs,
        final byte[] payload)
    {
    }

    @Override
    public void proposal(final long messageId, final int group, final long proposalBallot, final long value,
        final long streamBallot, final long streamSeq)
    {
    }

    @Override
    public void streamPosition(final long ballot, final long seq, final long reissuedUpTo)
    {
    }

    @Override
    public void forget(final long ballot)
    {
    }

    @Override
    public void delivered(final long messageId, final long finalValue, final int finalGroup)
    {
    }

    @Override
    public void forgotten(final long messageId, final long finalValue, final int finalGroup)
    {
    }

    @Override
    public void ringOp(final int op, final int clientOrdinal, final long argument)
    {
    }

    @Override
    public void ringRow(final int clientOrdinal, final ClientRings.RowState row)
    {
    }
}
