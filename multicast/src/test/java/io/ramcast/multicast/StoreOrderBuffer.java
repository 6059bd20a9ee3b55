package io.ramcast.multicast;

import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * A heap buffer that records the byte range of every store made through the plain put methods the
 * record flyweights use, in order, so a test can check which word was written last.
 */
final class StoreOrderBuffer extends UnsafeBuffer
{
    /** One store: {@code offset} and {@code lengthBytes} in this buffer. */
    record Store(int offset, int lengthBytes)
    {
    }

    private final List<Store> stores = new ArrayList<>();

    StoreOrderBuffer(final int capacityBytes)
    {
        super(new byte[capacityBytes]);
    }

    @Override
    public void putLong(final int index, final long value)
    {
        stores.add(new Store(index, Long.BYTES));
        super.putLong(index, value);
    }

    @Override
    public void putInt(final int index, final int value)
    {
        stores.add(new Store(index, Integer.BYTES));
        super.putInt(index, value);
    }

    @Override
    public void putBytes(final int index, final byte[] src)
    {
        stores.add(new Store(index, src.length));
        super.putBytes(index, src);
    }

    @Override
    public void setMemory(final int index, final int length, final byte value)
    {
        stores.add(new Store(index, length));
        super.setMemory(index, length, value);
    }

    /** @return the stores made so far, oldest first. */
    List<Store> stores()
    {
        return stores;
    }

    /** @return the most recent store; fails if there was none. */
    Store lastStore()
    {
        return stores.get(stores.size() - 1);
    }

    /** @return how many stores touched any byte of [offset, offset + lengthBytes). */
    long storesTouching(final int offset, final int lengthBytes)
    {
        return stores.stream()
            .filter(s -> s.offset() < offset + lengthBytes && offset < s.offset() + s.lengthBytes())
            .count();
    }
}
