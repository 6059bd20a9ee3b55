package io.ramcast.multicast.fabric.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class WholeWriteTest
{
    /** Records the stores made into it, in order. */
    private static final class RecordingBuffer extends UnsafeBuffer
    {
        private final List<String> stores = new ArrayList<>();

        RecordingBuffer(final int capacity)
        {
            super(new byte[capacity]);
        }

        @Override
        public void putBytes(final int index, final DirectBuffer srcBuffer, final int srcIndex, final int length)
        {
            stores.add("plain " + index + "+" + length);
            super.putBytes(index, srcBuffer, srcIndex, length);
        }

        @Override
        public void putLongRelease(final int index, final long value)
        {
            stores.add("release " + index);
            super.putLongRelease(index, value);
        }
    }

    @Test
    void shouldStoreEveryByteOfTheWriteAndNothingAround()
    {
        final UnsafeBuffer src = new UnsafeBuffer(new byte[40]);
        for (int i = 0; i < src.capacity(); i++)
        {
            src.putByte(i, (byte)(i + 1));
        }
        final UnsafeBuffer target = new UnsafeBuffer(new byte[64]);

        WholeWrite.store(target, 16, src, 8, 24);

        for (int i = 0; i < target.capacity(); i++)
        {
            final byte expected = i >= 16 && i < 40 ? (byte)(i - 16 + 8 + 1) : 0;
            assertThat(target.getByte(i)).as("byte %d", i).isEqualTo(expected);
        }
    }

    @Test
    void shouldStoreTheSealingWordLastWithAReleaseStore()
    {
        final UnsafeBuffer src = new UnsafeBuffer(new byte[24]);
        src.putLong(16, 0x5EA1L);
        final RecordingBuffer target = new RecordingBuffer(64);

        WholeWrite.store(target, 8, src, 0, 24);

        assertThat(target.stores).containsExactly("plain 8+16", "release 24");
        assertThat(target.getLong(24)).isEqualTo(0x5EA1L);
    }

    @Test
    void shouldStoreASingleWordWriteWithOnlyTheReleaseStore()
    {
        final UnsafeBuffer src = new UnsafeBuffer(new byte[8]);
        src.putLong(0, 42L);
        final RecordingBuffer target = new RecordingBuffer(16);

        WholeWrite.store(target, 8, src, 0, 8);

        assertThat(target.stores).containsExactly("release 8");
        assertThat(target.getLong(8)).isEqualTo(42L);
    }
}
