package io.ramcast.txn.config;

import java.util.stream.IntStream;

/**
 * A contiguous, non-empty range of process ids: {@code firstId .. firstId + count - 1}.
 *
 * @param firstId the first id.
 * @param count   the number of ids, at least 1.
 */
public record IdRange(int firstId, int count)
{
    /** @return the last id, inclusive. */
    public int lastId()
    {
        return firstId + count - 1;
    }

    /**
     * @param id a process id.
     * @return whether the id is in the range.
     */
    public boolean contains(final int id)
    {
        return id >= firstId && id - firstId < count;
    }

    /** @return the ids in ascending order. */
    public int[] toArray()
    {
        return stream().toArray();
    }

    /** @return the ids in ascending order. */
    public IntStream stream()
    {
        return IntStream.range(firstId, firstId + count);
    }

    @Override
    public String toString()
    {
        return firstId + ".." + lastId();
    }
}
