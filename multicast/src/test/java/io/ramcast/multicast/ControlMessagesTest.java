package io.ramcast.multicast;

import io.ramcast.multicast.ControlMessages.CatchUpEnd;
import io.ramcast.multicast.ControlMessages.EntryInfo;
import io.ramcast.multicast.ControlMessages.KnownProposal;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The protocol's own messages between servers: round trips, chunking and malformed input. */
class ControlMessagesTest
{
    @Test
    void shouldRoundTripProposalsAndBallotMessages()
    {
        final long[] idsAndValues = {MessageIds.of(100, 1), 7, MessageIds.of(101, 9), 12, MessageIds.of(102, 3), 40};
        final ControlMessages.Proposals p =
            ControlMessages.decodeProposals(ControlMessages.proposals(2, Ballots.of(3, 7), idsAndValues, 1, 2));
        assertThat(p.group()).isEqualTo(2);
        assertThat(p.ballot()).isEqualTo(Ballots.of(3, 7));
        assertThat(p.proposals()).containsExactly(
            new ControlMessages.Proposal(MessageIds.of(101, 9), 12), new ControlMessages.Proposal(MessageIds.of(102, 3), 40));

        final ControlMessages.Mark delivered = new ControlMessages.Mark(812, 2, MessageIds.of(101, 40));
        final byte[] catchUp = ControlMessages.catchUp(new ControlMessages.CatchUp(1, Ballots.of(5, 4), delivered));
        assertThat(ControlMessages.type(catchUp)).isEqualTo(ControlMessages.CATCH_UP);
        assertThat(ControlMessages.decodeCatchUp(catchUp))
            .isEqualTo(new ControlMessages.CatchUp(1, Ballots.of(5, 4), delivered));
        assertThatThrownBy(() -> ControlMessages.decodeBallotMessage(catchUp, ControlMessages.NEW_LEADER))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected " + ControlMessages.NEW_LEADER);

        final byte[] stale = ControlMessages.stale(new ControlMessages.Stale(1, Ballots.of(4, 0), delivered));
        assertThat(ControlMessages.decodeStale(stale)).isEqualTo(new ControlMessages.Stale(1, Ballots.of(4, 0), delivered));
        assertThatThrownBy(() -> ControlMessages.decodeStale(Arrays.copyOf(stale, stale.length - 1)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated CATCH_UP_STALE");

        assertThat(ControlMessages.Mark.NONE.isBelow(delivered)).isTrue();
        assertThat(delivered.isBelow(new ControlMessages.Mark(812, 2, MessageIds.of(101, 41)))).isTrue();
        assertThat(delivered.isBelow(new ControlMessages.Mark(811, 2, MessageIds.of(101, 99)))).isFalse();
        assertThat(ControlMessages.Mark.NONE).hasToString("none");

        final long[] ids = {MessageIds.of(101, 1), MessageIds.of(102, 9), MessageIds.of(103, 4)};
        final byte[] ackRequest = ControlMessages.ackRequest(ids, 1, 2);
        assertThat(ControlMessages.type(ackRequest)).isEqualTo(ControlMessages.ACK_REQUEST);
        assertThat(ControlMessages.decodeAckRequest(ackRequest)).containsExactly(ids[1], ids[2]);
        assertThatThrownBy(() -> ControlMessages.decodeBodyRequest(ackRequest))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected " + ControlMessages.BODY_REQUEST);
    }

    @Test
    void shouldSplitCatchUpEntriesIntoMessagesThatFitAndReadThemBack()
    {
        final List<EntryInfo> infos = new ArrayList<>();
        for (int i = 0; i < 200; i++)
        {
            infos.add(new EntryInfo(MessageIds.of(100, i + 1), i % 3, new int[] {0, 2}, new long[] {i + 1, i + 5},
                i % 2 == 0, i % 5 == 0, List.of(new KnownProposal(0, Ballots.of(1, 0), i), new KnownProposal(2, Ballots.of(2, 6), i + 1))));
        }
        infos.add(new EntryInfo(MessageIds.of(101, 1), -1, new int[0], new long[0], false, false, List.of()));
        final List<byte[]> messages = ControlMessages.catchUpEntries(Ballots.of(4, 1), infos, 1024);
        assertThat(messages).hasSizeGreaterThan(1).allSatisfy(m -> assertThat(m.length).isLessThanOrEqualTo(1024));

        final List<EntryInfo> back = new ArrayList<>();
        for (final byte[] m : messages)
        {
            final ControlMessages.CatchUpEntries part = ControlMessages.decodeCatchUpEntries(m);
            assertThat(part.ballot()).isEqualTo(Ballots.of(4, 1));
            back.addAll(part.entries());
        }
        assertThat(back).hasSize(infos.size());
        for (int i = 0; i < infos.size(); i++)
        {
            final EntryInfo a = infos.get(i);
            final EntryInfo b = back.get(i);
            assertThat(b.messageId()).isEqualTo(a.messageId());
            assertThat(b.clientOrdinal()).isEqualTo(a.clientOrdinal());
            assertThat(b.destinations()).containsExactly(a.destinations());
            assertThat(b.ringSeqs()).containsExactly(a.ringSeqs());
            assertThat(b.hasBody()).isEqualTo(a.hasBody());
            assertThat(b.delivered()).isEqualTo(a.delivered());
            assertThat(b.proposals()).isEqualTo(a.proposals());
        }
    }

    @Test
    void shouldRoundTripCatchUpEndAndRelay()
    {
        final CatchUpEnd end = new CatchUpEnd(Ballots.of(4, 1), Ballots.of(3, 0), 77, 55, 1234, 201, new long[] {1, 9, 40},
            new ControlMessages.Mark(900, 1, MessageIds.of(102, 7)), new ControlMessages.Mark(400, 0, MessageIds.of(101, 3)));
        final CatchUpEnd endBack = ControlMessages.decodeCatchUpEnd(ControlMessages.catchUpEnd(end));
        assertThat(endBack.delivered()).isEqualTo(end.delivered());
        assertThat(endBack.forgotten()).isEqualTo(end.forgotten());
        assertThat(endBack.ballot()).isEqualTo(end.ballot());
        assertThat(endBack.acceptedBallot()).isEqualTo(end.acceptedBallot());
        assertThat(endBack.acceptedSeq()).isEqualTo(77);
        assertThat(endBack.reissuedUpTo()).isEqualTo(55);
        assertThat(endBack.clock()).isEqualTo(1234);
        assertThat(endBack.entryCount()).isEqualTo(201);
        assertThat(endBack.ringHeads()).containsExactly(1, 9, 40);

        final byte[] payload = "transfer 10".getBytes();
        final ControlMessages.Relay relay =
            new ControlMessages.Relay(3, MessageIds.of(103, 8), new int[] {0, 1}, new long[] {4, 6}, payload);
        final ControlMessages.Relay relayBack = ControlMessages.decodeRelay(ControlMessages.relay(relay));
        assertThat(relayBack.clientOrdinal()).isEqualTo(3);
        assertThat(relayBack.messageId()).isEqualTo(MessageIds.of(103, 8));
        assertThat(relayBack.destinations()).containsExactly(0, 1);
        assertThat(relayBack.ringSeqs()).containsExactly(4, 6);
        assertThat(relayBack.payload()).isEqualTo(payload);
    }

    @Test
    void shouldRefuseTruncatedOversizedAndEmptyMessages()
    {
        final byte[] relay = ControlMessages.relay(
            new ControlMessages.Relay(0, MessageIds.of(100, 1), new int[] {0}, new long[] {1}, new byte[] {1, 2, 3}));
        for (int cut = 1; cut < relay.length; cut++)
        {
            final byte[] truncated = Arrays.copyOf(relay, cut);
            assertThatThrownBy(() -> ControlMessages.decodeRelay(truncated)).as("cut at %d", cut)
                .isInstanceOf(IllegalArgumentException.class);
        }
        final byte[] trailing = Arrays.copyOf(relay, relay.length + 4);
        assertThatThrownBy(() -> ControlMessages.decodeRelay(trailing))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trailing");

        final byte[] end = ControlMessages.catchUpEnd(new CatchUpEnd(1, 1, 1, 1, 1, 0, new long[] {1, 2}));
        assertThatThrownBy(() -> ControlMessages.decodeCatchUpEnd(Arrays.copyOf(end, end.length - 8)))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ControlMessages.type(new byte[0]))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
    }

    @Test
    void shouldRoundTripCatchUpRequestsAndPackDeliveriesIntoMessagesOfTheLimit()
    {
        final long[] ids = {MessageIds.of(100, 1), MessageIds.of(101, 7), 0x8000_0000_0000_0003L};
        assertThat(ControlMessages.decodeBodyRequest(ControlMessages.bodyRequest(ids, 1, 2)))
            .containsExactly(ids[1], ids[2]);
        assertThat(ControlMessages.maxBodyRequests(1024)).isEqualTo((1024 - 5) / 8);

        final ControlMessages.Mark r = new ControlMessages.Mark(77, 2, MessageIds.of(103, 9));
        assertThat(ControlMessages.decodeDeliveredRequest(ControlMessages.deliveredRequest(r))).isEqualTo(r);

        final java.util.List<ControlMessages.DeliveredItem> items = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++)
        {
            items.add(new ControlMessages.DeliveredItem(MessageIds.of(100, i + 1), 1000 + i, i % 3, 0,
                new int[] {0, i % 2 + 1}, new long[] {i + 1, i + 2}, new byte[i * 3]));
        }
        final java.util.List<byte[]> messages = ControlMessages.delivered(true, 900, items, 512);
        assertThat(messages).hasSizeGreaterThan(1).allSatisfy(m -> assertThat(m.length).isLessThanOrEqualTo(512));
        final java.util.List<ControlMessages.DeliveredItem> back = new java.util.ArrayList<>();
        for (final byte[] m : messages)
        {
            final ControlMessages.Delivered d = ControlMessages.decodeDelivered(m);
            assertThat(d.complete()).isTrue();
            assertThat(d.behind()).isEqualTo(900);
            back.addAll(d.items());
        }
        assertThat(back).hasSize(40);
        for (int i = 0; i < 40; i++)
        {
            assertThat(back.get(i).messageId()).isEqualTo(items.get(i).messageId());
            assertThat(back.get(i).finalValue()).isEqualTo(1000 + i);
            assertThat(back.get(i).finalGroup()).isEqualTo(i % 3);
            assertThat(back.get(i).destinations()).containsExactly(0, i % 2 + 1);
            assertThat(back.get(i).ringSeqs()).containsExactly(i + 1, i + 2);
            assertThat(back.get(i).payload()).hasSize(i * 3);
        }
        final java.util.List<byte[]> gap = ControlMessages.delivered(false, 0, java.util.List.of(), 512);
        assertThat(gap).hasSize(1);
        assertThat(ControlMessages.decodeDelivered(gap.get(0)).complete()).isFalse();
        assertThat(ControlMessages.decodeDelivered(gap.get(0)).items()).isEmpty();
    }
}
