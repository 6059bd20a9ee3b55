package io.ramcast.txn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KeysTest
{
    @Test
    void shouldCompareAsUnsignedBytesWithPrefixesFirst()
    {
        assertThat(Keys.compare(bytes(0x7f), bytes(0x80))).isNegative();
        assertThat(Keys.compare(bytes(0xff), bytes(0x00))).isPositive();
        assertThat(Keys.compare(bytes(0x01), bytes(0x01, 0x00))).isNegative();
        assertThat(Keys.compare(new byte[0], bytes(0x00))).isNegative();
        assertThat(Keys.compare(bytes(0x80, 0x01), bytes(0x80, 0x01))).isZero();
        assertThat(Keys.COMPARATOR.compare(bytes(0x80), bytes(0x7f, 0xff))).isPositive();
    }

    @Test
    void shouldTellWhetherAKeyStartsWithAPrefix()
    {
        assertThat(Keys.startsWith(bytes(1, 2, 3), bytes(1, 2))).isTrue();
        assertThat(Keys.startsWith(bytes(1, 2, 3), new byte[0])).isTrue();
        assertThat(Keys.startsWith(bytes(1, 2), bytes(1, 2))).isTrue();
        assertThat(Keys.startsWith(bytes(1), bytes(1, 2))).isFalse();
        assertThat(Keys.startsWith(bytes(1, 3), bytes(1, 2))).isFalse();
    }

    @Test
    void shouldComputeTheEndOfAPrefixRange()
    {
        assertThat(Keys.prefixEnd(bytes(0x01))).isEqualTo(bytes(0x02));
        assertThat(Keys.prefixEnd(bytes(0x01, 0xff))).isEqualTo(bytes(0x02));
        assertThat(Keys.prefixEnd(bytes(0x7f))).isEqualTo(bytes(0x80));
        assertThat(Keys.prefixEnd(bytes(0x01, 0xfe, 0xff, 0xff))).isEqualTo(bytes(0x01, 0xff));
        assertThat(Keys.prefixEnd(bytes(0xff, 0xff))).isNull();
        assertThat(Keys.prefixEnd(new byte[0])).isNull();
    }

    @Test
    void shouldRefuseReservedOrEmptyMetaKeys()
    {
        Keys.checkMetaKey(bytes(0x01));
        Keys.checkMetaKey(bytes(0xff, 0x00));
        Keys.checkMetaPrefix(new byte[0]);
        Keys.checkMetaPrefix(bytes(0x01));

        assertThatThrownBy(() -> Keys.checkMetaKey(bytes(0x00, 0x01)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0001").hasMessageContaining("reserved");
        assertThatThrownBy(() -> Keys.checkMetaKey(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Keys.checkMetaPrefix(bytes(0x00))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRenderKeysAsBoundedHex()
    {
        assertThat(Keys.toString(bytes(0x6b, 0x00, 0xff))).isEqualTo("0x6b00ff");
        assertThat(Keys.toString("acct/7".getBytes(java.nio.charset.StandardCharsets.US_ASCII))).isEqualTo("\"acct/7\"");
        assertThat(Keys.toString(new byte[0])).isEqualTo("0x (empty)");
        assertThat(Keys.toString(null)).isEqualTo("null");
        assertThat(Keys.toString(new byte[40])).isEqualTo("0x" + "00".repeat(32) + "...(40 bytes)");
    }

    private static byte[] bytes(final int... values)
    {
        final byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++)
        {
            bytes[i] = (byte)values[i];
        }
        return bytes;
    }
}
