package io.ramcast.multicast.fabric.rdma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class HandshakeCodecTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[HandshakeCodec.MAX_MESSAGE_BYTES + 64]);

    private static Handshake ownerHello()
    {
        return new Handshake(HandshakeCodec.TYPE_OWNER_HELLO, 1, 7, 0x1234_5678_9abc_def0L, 0x7f00_0000_1000L, 0x55aa,
            HandshakeCodec.MAX_REGIONS, List.of(
                new Handshake.Region(1, 4096, 0x7f00_1000_0000L, RegionKey.encode(0x1111, 1, true)),
                new Handshake.Region(3, 64, 0x7f00_2000_0000L, RegionKey.encode(0x2222, 5, false))));
    }

    @Test
    void shouldRoundTripAnOwnerHelloWithItsRegionTableAndRkeys() throws HandshakeException
    {
        final int length = HandshakeCodec.encode(ownerHello(), buffer, 16);

        assertThat(length).isEqualTo(HandshakeCodec.HEADER_BYTES + 2 * HandshakeCodec.ENTRY_BYTES);
        final Handshake decoded = HandshakeCodec.decode(buffer, 16, length);
        assertThat(decoded).isEqualTo(ownerHello());
        assertThat(decoded.indexOf(3)).isEqualTo(1);
        assertThat(decoded.indexOf(2)).isEqualTo(-1);
        assertThat(RegionKey.rkey(decoded.regions().get(0).keyWord())).isEqualTo(0x1111);
        assertThat(RegionKey.isWritable(decoded.regions().get(1).keyWord())).isFalse();
    }

    @Test
    void shouldRoundTripAWriterHello() throws HandshakeException
    {
        final Handshake hello = new Handshake(HandshakeCodec.TYPE_WRITER_HELLO, 0, 100, -5L, 0, 0, 0, List.of());
        final int length = HandshakeCodec.encode(hello, buffer, 0);

        assertThat(length).isEqualTo(HandshakeCodec.HEADER_BYTES);
        assertThat(HandshakeCodec.decode(buffer, 0, length)).isEqualTo(hello);
    }

    /** AUTH and CHALLENGE carry nonce and proof, no regions; a hello may carry them too. */
    @Test
    void shouldRoundTripTheAuthenticationMessagesWithNonceAndProof() throws HandshakeException
    {
        final byte[] nonce = new byte[HandshakeCodec.NONCE_BYTES];
        final byte[] proof = new byte[HandshakeCodec.NONCE_BYTES];
        java.util.Arrays.fill(nonce, (byte)7);
        java.util.Arrays.fill(proof, (byte)9);
        for (final int type : new int[] {HandshakeCodec.TYPE_AUTH, HandshakeCodec.TYPE_CHALLENGE,
            HandshakeCodec.TYPE_WRITER_HELLO})
        {
            final Handshake message = new Handshake(type, 1, 5, 77L, 0, 0, 0, List.of(), nonce, proof);
            final int length = HandshakeCodec.encode(message, buffer, 0);
            assertThat(HandshakeCodec.decode(buffer, 0, length)).isEqualTo(message);
            assertThat(HandshakeCodec.decode(buffer, 0, length).toString()).as("secrets-derived bytes stay out of logs")
                .doesNotContain("nonce").doesNotContain("proof");
        }
        final int length = HandshakeCodec.encode(ownerHello(), buffer, 0);
        buffer.putByte(HandshakeCodec.TYPE_OFFSET, (byte)HandshakeCodec.TYPE_CHALLENGE);
        assertThatThrownBy(() -> HandshakeCodec.decode(buffer, 0, length)).isInstanceOf(HandshakeException.class)
            .hasMessageContaining("message type 4 carries 2 regions");
    }

    @Test
    void shouldRoundTripARefusalAndTellItFromAHello() throws HandshakeException
    {
        final String reason = "process 1: client id 100 is in use by a live process \u2014 lease another";
        final int length = HandshakeCodec.encodeRefusal(new HandshakeCodec.Refusal(1, 2, 77L,
            HandshakeCodec.REFUSE_CLIENT_ID_IN_USE, reason), buffer, 0);
        assertThat(HandshakeCodec.isRefusal(buffer, 0, length)).isTrue();
        assertThat(HandshakeCodec.decodeRefusal(buffer, 0, length)).isEqualTo(new HandshakeCodec.Refusal(1, 2, 77L,
            HandshakeCodec.REFUSE_CLIENT_ID_IN_USE, reason));
        assertThatThrownBy(() -> HandshakeCodec.decode(buffer, 0, length)).isInstanceOf(HandshakeException.class)
            .hasMessageContaining("a refusal");
        assertThatThrownBy(() -> HandshakeCodec.decodeRefusal(buffer, 0, length - 1))
            .isInstanceOf(HandshakeException.class).hasMessageContaining("announces a reason of");

        final int cut = HandshakeCodec.encodeRefusal(new HandshakeCodec.Refusal(1, 0, 1L, 1, "x".repeat(2_000)),
            buffer, 0);
        assertThat(cut).as("a long reason is cut").isEqualTo(HandshakeCodec.HEADER_BYTES +
            HandshakeCodec.MAX_REFUSE_MESSAGE_BYTES);
        final int hello = HandshakeCodec.encode(new Handshake(HandshakeCodec.TYPE_WRITER_HELLO, 0, 3, 9L, 0, 0, 0,
            List.of()), buffer, 0);
        assertThat(HandshakeCodec.isRefusal(buffer, 0, hello)).isFalse();
    }

    @Test
    void shouldRefuseTruncatedMessages()
    {
        final int length = HandshakeCodec.encode(ownerHello(), buffer, 0);

        assertThatThrownBy(() -> HandshakeCodec.decode(buffer, 0, 12)).isInstanceOf(HandshakeException.class)
            .hasMessageContaining("shorter than its 104-byte header");
        assertThatThrownBy(() -> HandshakeCodec.decode(buffer, 0, length - 8)).isInstanceOf(HandshakeException.class)
            .hasMessageContaining("does not match region count 2");
        assertThatThrownBy(() -> HandshakeCodec.decode(new UnsafeBuffer(new byte[110]), 0, 128))
            .isInstanceOf(HandshakeException.class).hasMessageContaining("exceeds the receive buffer");
    }

    @Test
    void shouldRefuseGarbageAndOtherVersions()
    {
        final int length = HandshakeCodec.encode(ownerHello(), buffer, 0);
        buffer.putInt(HandshakeCodec.MAGIC_OFFSET, 0xdeadbeef);
        assertThatThrownBy(() -> HandshakeCodec.decode(buffer, 0, length)).isInstanceOf(HandshakeException.class)
            .hasMessageContaining("not a RamCast rdma handshake");

        HandshakeCodec.encode(ownerHello(), buffer, 0);
        buffer.putShort(HandshakeCodec.VERSION_OFFSET, (short)1);
        assertThatThrownBy(() -> HandshakeCodec.decode(buffer, 0, length)).isInstanceOf(HandshakeException.class)
            .hasMessage("version 1 is not the supported version 2");

        HandshakeCodec.encode(ownerHello(), buffer, 0);
        buffer.putByte(HandshakeCodec.TYPE_OFFSET, (byte)9);
        assertThatThrownBy(() -> HandshakeCodec.decode(buffer, 0, length)).isInstanceOf(HandshakeException.class)
            .hasMessageContaining("type 9");
    }

    @Test
    void shouldRefuseInconsistentFields()
    {
        final int length = HandshakeCodec.encode(ownerHello(), buffer, 0);
        buffer.putInt(HandshakeCodec.HEADER_BYTES + HandshakeCodec.ENTRY_BYTES + HandshakeCodec.ENTRY_REGION_ID_OFFSET, 1);
        assertThatThrownBy(() -> HandshakeCodec.decode(buffer, 0, length)).isInstanceOf(HandshakeException.class)
            .hasMessageContaining("id 1 is negative or repeated");

        HandshakeCodec.encode(ownerHello(), buffer, 0);
        buffer.putInt(HandshakeCodec.HEADER_BYTES + HandshakeCodec.ENTRY_SIZE_OFFSET, 12);
        assertThatThrownBy(() -> HandshakeCodec.decode(buffer, 0, length)).isInstanceOf(HandshakeException.class)
            .hasMessageContaining("size 12 is not a positive multiple of 8");

        HandshakeCodec.encode(ownerHello(), buffer, 0);
        buffer.putInt(HandshakeCodec.KEY_TABLE_ENTRIES_OFFSET, 0);
        assertThatThrownBy(() -> HandshakeCodec.decode(buffer, 0, length)).isInstanceOf(HandshakeException.class)
            .hasMessageContaining("key table of 0 entries");

        HandshakeCodec.encode(ownerHello(), buffer, 0);
        buffer.putByte(HandshakeCodec.TYPE_OFFSET, (byte)HandshakeCodec.TYPE_WRITER_HELLO);
        assertThatThrownBy(() -> HandshakeCodec.decode(buffer, 0, length)).isInstanceOf(HandshakeException.class)
            .hasMessageContaining("message type 1 carries 2 regions");

        HandshakeCodec.encode(ownerHello(), buffer, 0);
        buffer.putShort(HandshakeCodec.REGION_COUNT_OFFSET, (short)(HandshakeCodec.MAX_REGIONS + 1));
        assertThatThrownBy(() -> HandshakeCodec.decode(buffer, 0, length)).isInstanceOf(HandshakeException.class)
            .hasMessageContaining("exceeds 256");
    }

    @Test
    void shouldEncodeKeyWordsWithGenerationAndWrapAround()
    {
        final long word = RegionKey.encode(0xCAFEBABE, 42, true);
        assertThat(RegionKey.rkey(word)).isEqualTo(0xCAFEBABE);
        assertThat(RegionKey.generation(word)).isEqualTo(42);
        assertThat(RegionKey.isWritable(word)).isTrue();
        assertThat(RegionKey.isNewer(43, 42)).isTrue();
        assertThat(RegionKey.isNewer(42, 43)).isFalse();
        assertThat(RegionKey.isNewer(1, 0)).isTrue();
        assertThat(RegionKey.isNewer(RegionKey.next(RegionKey.MAX_GENERATION), RegionKey.MAX_GENERATION)).isTrue();
        assertThatThrownBy(() -> RegionKey.encode(1, 0, true)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldKeepTheKindOfAWorkRequestInItsHighBits()
    {
        final long id = WorkRequestIds.encode(WorkRequestIds.KIND_FENCE, 123_456_789_012L);
        assertThat(id >>> 60).isEqualTo(WorkRequestIds.KIND_FENCE);
        assertThat(WorkRequestIds.kind(id)).isEqualTo(WorkRequestIds.KIND_FENCE);
        assertThat(WorkRequestIds.sequence(id)).isEqualTo(123_456_789_012L);
        assertThat(WorkRequestIds.kind(WorkRequestIds.encode(WorkRequestIds.KIND_WRITE, WorkRequestIds.MAX_SEQUENCE)))
            .isEqualTo(WorkRequestIds.KIND_WRITE);
        assertThat(WorkRequestIds.toString(WorkRequestIds.encode(WorkRequestIds.KIND_HANDSHAKE_RECEIVE, 0)))
            .isEqualTo("HANDSHAKE_RECEIVE#0");
        assertThatThrownBy(() -> WorkRequestIds.encode(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WorkRequestIds.encode(16, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WorkRequestIds.encode(1, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WorkRequestIds.encode(1, WorkRequestIds.MAX_SEQUENCE + 1))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
