package io.ramcast.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ramcast.txn.store.AppliedMark;
import org.junit.jupiter.api.Test;

class AppliedMarkRecordTest
{
    @Test
    void shouldLayOutTheMarkBigEndianAfterAVersionByte()
    {
        final byte[] value = AppliedMarkRecord.encode(new AppliedMark(0x0102030405060708L, 0x0a0b0c0d, -2L));

        assertThat(value).containsExactly(
            1,
            1, 2, 3, 4, 5, 6, 7, 8,
            10, 11, 12, 13,
            -1, -1, -1, -1, -1, -1, -1, -2);
    }

    @Test
    void shouldRoundTripEveryMark()
    {
        for (final AppliedMark mark : new AppliedMark[] {
            AppliedMark.NONE, new AppliedMark(0, 0, 0), new AppliedMark(Long.MAX_VALUE, Integer.MAX_VALUE, -1L)})
        {
            assertThat(AppliedMarkRecord.decode(AppliedMarkRecord.encode(mark))).isEqualTo(mark);
        }
    }

    @Test
    void shouldRefuseAnUnknownLengthOrVersion()
    {
        final byte[] value = AppliedMarkRecord.encode(new AppliedMark(1, 1, 1));
        value[AppliedMarkRecord.VERSION_OFFSET] = 2;

        assertThatThrownBy(() -> AppliedMarkRecord.decode(value))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version 2");
        assertThatThrownBy(() -> AppliedMarkRecord.decode(new byte[AppliedMarkRecord.LENGTH - 1]))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("20 bytes");
    }
}
