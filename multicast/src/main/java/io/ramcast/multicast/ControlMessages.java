package io.ramcast.multicast;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The protocol's own point-to-point messages between servers, carried by the CONTROL mailboxes
 * (see {@link Layout}): proposals to other groups' leaders (Task 2), leader change (Tasks 7–9,
 * ramcast-protocol.md §C.7.2) and relayed messages (Task 10, §C.8).
 *
 * <p>Every message starts with a one-byte type; integers are little-endian. Decoding checks every
 * length and throws {@link IllegalArgumentException} for a malformed message (the mailbox already
 * checked a CRC, so this guards against a peer speaking another version).
 *
 * <p>Stateless apart from the message records; thread-safe.
 */
final class ControlMessages
{
    /** Proposals of the sender's group, in the sender's ballot, for messages also sent to the receiver's group. */
    static final byte PROPOSALS = 1;
    /** A candidate asks its group to promise a ballot (Task 7). */
    static final byte CATCH_UP = 2;
    /** The replier already promised a ballot at least as high (Task 8, refused). */
    static final byte CATCH_UP_NACK = 3;
    /** Part of a promise: entries the replier holds (Task 8). */
    static final byte CATCH_UP_ENTRIES = 4;
    /** End of a promise: the replier's stream position, clock and delivered watermarks (Task 8). */
    static final byte CATCH_UP_END = 5;
    /** A leader finished its recovery and leads its group in a ballot (§C.7.2 step 6). */
    static final byte NEW_LEADER = 6;
    /** A client's message relayed by a server (Task 10). */
    static final byte RELAY = 7;
    /**
     * A member asks the others of its group for bodies it lacks: messages it knows from its stream
     * but never received from the client (it was down, restarted or cut off meanwhile). Each one
     * held is answered with a {@link #RELAY}.
     */
    static final byte BODY_REQUEST = 8;
    /**
     * A member that has delivered nothing for a failure timeout while holding messages (it restarted
     * or was cut off, and the acks and proposals written to it meanwhile are lost) asks a member of
     * its group for the deliveries after its last one ({@link #DELIVERED} answers).
     */
    static final byte DELIVERED_REQUEST = 9;
    /** Deliveries in delivery order, with their bodies and final timestamps, after a requested one. */
    static final byte DELIVERED = 10;
    /**
     * The replier refuses a candidacy ({@link #CATCH_UP}) because the candidate has not delivered
     * what the replier delivered and forgot: a candidate that won with it would never deliver those
     * messages (see {@code ServerProtocol#onCatchUp}).
     */
    static final byte CATCH_UP_STALE = 11;
    /**
     * A process asks the members of another destination group to write their acknowledgements of
     * some messages again (it restarted, and what they wrote to its earlier incarnation is lost):
     * each member that acknowledged one rewrites that ack cell to the asker.
     */
    static final byte ACK_REQUEST = 12;
    /**
     * A leader that is about to stop asks one member of its group to campaign now, instead of
     * after a failure timeout (group, the ballot it led); it has stopped proposing.
     */
    static final byte HAND_OVER = 13;

    /** Bytes a relay adds to the slot record it carries, at most. */
    static final int RELAY_OVERHEAD_BYTES = 64;

    private ControlMessages()
    {
    }

    /** A proposal as carried by {@link #PROPOSALS}. */
    record Proposal(long messageId, long value)
    {
    }

    /** What a server knows of one group's proposal for a message, in a catch-up reply. */
    record KnownProposal(int group, long ballot, long value)
    {
    }

    /**
     * One entry reported in a catch-up reply.
     *
     * @param messageId      the message.
     * @param clientOrdinal  ordinal of the sending client, -1 when the destinations are unknown.
     * @param destinations   sorted destination groups, empty when unknown.
     * @param ringSeqs       ring sequence in each destination group, parallel to destinations.
     * @param hasBody        whether the replier holds the body.
     * @param delivered      whether the replier delivered the message.
     * @param proposals      the proposals the replier knows, own group included.
     */
    record EntryInfo(
        long messageId, int clientOrdinal, int[] destinations, long[] ringSeqs, boolean hasBody, boolean delivered,
        List<KnownProposal> proposals)
    {
        int encodedBytes()
        {
            return 8 + 4 + 4 + 1 + destinations.length * 12 + 4 + proposals.size() * 20;
        }
    }

    /**
     * A position in a group's delivery sequence: the final timestamp (value, group) and id of a
     * delivery. Deliveries are made in ascending order of marks, so a member that delivered up to
     * mark A has delivered every message of its group at or below A.
     */
    record Mark(long value, int group, long messageId)
    {
        /** Before the first delivery. */
        static final Mark NONE = new Mark(Long.MIN_VALUE, -1, 0);

        /** @return negative, zero or positive as this mark is below, at or above {@code other}. */
        int compareTo(final Mark other)
        {
            return Entry.compare(value, group, messageId, other.value, other.group, other.messageId);
        }

        boolean isBelow(final Mark other)
        {
            return compareTo(other) < 0;
        }

        @Override
        public String toString()
        {
            return group < 0 ? "none" : value + "/" + group + "/" + MessageIds.toString(messageId);
        }
    }

    private static void putMark(final ByteBuffer b, final Mark m)
    {
        b.putLong(m.value()).putInt(m.group()).putLong(m.messageId());
    }

    private static Mark getMark(final ByteBuffer b)
    {
        return new Mark(b.getLong(), b.getInt(), b.getLong());
    }

    private static final int MARK_BYTES = 8 + 4 + 8;

    /** A relayed client message. */
    record Relay(int clientOrdinal, long messageId, int[] destinations, long[] ringSeqs, byte[] payload)
    {
    }

    static byte type(final byte[] message)
    {
        if (message.length == 0)
        {
            throw new IllegalArgumentException("empty control message");
        }
        return message[0];
    }

    private static ByteBuffer writer(final int bytes, final byte type)
    {
        final ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(type);
        return b;
    }

    private static ByteBuffer reader(final byte[] message, final byte type)
    {
        final ByteBuffer b = ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN);
        if (b.get() != type)
        {
            throw new IllegalArgumentException("control message of type " + message[0] + ", expected " + type);
        }
        return b;
    }

    /**
     * Reads a message of {@code type} with {@code body}, then checks that nothing is left over.
     *
     * @throws IllegalArgumentException for another type, a truncated message or trailing bytes.
     */
    private static <T> T decode(
        final byte[] message, final byte type, final String name, final java.util.function.Function<ByteBuffer, T> body)
    {
        try
        {
            final ByteBuffer b = reader(message, type);
            final T decoded = body.apply(b);
            end(b);
            return decoded;
        }
        catch (final BufferUnderflowException ex)
        {
            throw new IllegalArgumentException("truncated " + name + " message", ex);
        }
    }

    private static void end(final ByteBuffer b)
    {
        if (b.hasRemaining())
        {
            throw new IllegalArgumentException(b.remaining() + " trailing bytes in a control message");
        }
    }

    private static int count(final ByteBuffer b, final int bytesEach)
    {
        final int n = b.getInt();
        if (n < 0 || (long)n * bytesEach > b.remaining())
        {
            throw new IllegalArgumentException("bad count " + n + " in a control message");
        }
        return n;
    }

    /** Destination groups with a message's ring position in each, as encoded in relays and deliveries. */
    private record Destinations(int[] groups, long[] ringSeqs)
    {
    }

    /** Writes a count, then (group i32, ring position i64) for each destination. */
    private static void writeDestinations(final ByteBuffer b, final int[] groups, final long[] ringSeqs)
    {
        b.putInt(groups.length);
        for (int d = 0; d < groups.length; d++)
        {
            b.putInt(groups[d]).putLong(ringSeqs[d]);
        }
    }

    /** Reads a count, then (group i32, ring position i64) that many times. */
    private static Destinations readDestinations(final ByteBuffer b)
    {
        final int k = count(b, 12);
        final int[] groups = new int[k];
        final long[] ringSeqs = new long[k];
        for (int d = 0; d < k; d++)
        {
            groups[d] = b.getInt();
            ringSeqs[d] = b.getLong();
        }
        return new Destinations(groups, ringSeqs);
    }

    /* ---------------------------------------------------------------- DELIVERED_REQUEST, DELIVERED */

    /** @param lastDelivered the asker's last delivery: the answer holds the deliveries after it. */
    static byte[] deliveredRequest(final Mark lastDelivered)
    {
        final ByteBuffer b = writer(1 + MARK_BYTES, DELIVERED_REQUEST);
        putMark(b, lastDelivered);
        return b.array();
    }

    /** @return the asker's last delivery carried by a {@link #DELIVERED_REQUEST}. */
    static Mark decodeDeliveredRequest(final byte[] message)
    {
        return decode(message, DELIVERED_REQUEST, "DELIVERED_REQUEST", ControlMessages::getMark);
    }

    /** One delivery as carried by {@link #DELIVERED}. */
    record DeliveredItem(
        long messageId, long finalValue, int finalGroup, int clientOrdinal, int[] destinations, long[] ringSeqs,
        byte[] payload)
    {
        int encodedBytes()
        {
            return 8 + 8 + 4 + 4 + 4 + destinations.length * 12 + 4 + payload.length;
        }
    }

    /**
     * Decoded {@link #DELIVERED}.
     *
     * @param complete whether the sender still held every delivery after the requested one (its
     *                 history reached back that far); if not, the asker cannot catch up from it.
     * @param behind   how many deliveries the sender holds after the requested one, in all (a
     *                 request is answered with at most a few thousand of them); -1 with
     *                 {@code complete} false: the sender delivered messages before and after the
     *                 requested one but never that one (the asker's state is not of this history).
     * @param items    deliveries, in delivery order (at most a bounded number per answer).
     * @param rings    empty, except in the last message of an answer that left nothing out: per client
     *                 ordinal, the sender's ring positions that were taken and freed when it answered.
     */
    record Delivered(boolean complete, int behind, List<DeliveredItem> items, List<SettledRing> rings)
    {
        Delivered(final boolean complete, final int behind, final List<DeliveredItem> items)
        {
            this(complete, behind, items, List.of());
        }
    }

    /**
     * One client's ring positions at a member: every position below {@code head} except those in
     * {@code openBelow} was taken and freed there.
     */
    record SettledRing(long head, long[] openBelow)
    {
    }

    /** @return the items packed into as many {@link #DELIVERED} messages of at most {@code maxBytes} as needed. */
    static List<byte[]> delivered(final boolean complete, final int behind, final List<DeliveredItem> items,
        final int maxBytes)
    {
        return delivered(complete, behind, items, List.of(), maxBytes);
    }

    /**
     * @param rings sent in the last message only (see {@link Delivered#rings}); must fit one message
     *              with at least one item's room to spare.
     */
    static List<byte[]> delivered(final boolean complete, final int behind, final List<DeliveredItem> items,
        final List<SettledRing> rings, final int maxBytes)
    {
        int ringBytes = 4;
        for (final SettledRing r : rings)
        {
            ringBytes += 8 + 4 + 8 * r.openBelow().length;
        }
        final List<byte[]> out = new ArrayList<>();
        int from = 0;
        while (from < items.size() || out.isEmpty())
        {
            int bytes = 1 + 1 + 4 + 4 + 4;
            int to = from;
            while (to < items.size() && (to == from || bytes + items.get(to).encodedBytes() <= maxBytes - ringBytes))
            {
                bytes += items.get(to).encodedBytes();
                to++;
            }
            final boolean last = to == items.size();
            if (last)
            {
                bytes += ringBytes - 4;
            }
            final ByteBuffer b = writer(bytes, DELIVERED);
            b.put((byte)(complete ? 1 : 0)).putInt(behind).putInt(to - from);
            for (int i = from; i < to; i++)
            {
                final DeliveredItem it = items.get(i);
                b.putLong(it.messageId()).putLong(it.finalValue()).putInt(it.finalGroup()).putInt(it.clientOrdinal());
                writeDestinations(b, it.destinations(), it.ringSeqs());
                b.putInt(it.payload().length).put(it.payload());
            }
            b.putInt(last ? rings.size() : 0);
            for (int r = 0; last && r < rings.size(); r++)
            {
                b.putLong(rings.get(r).head()).putInt(rings.get(r).openBelow().length);
                for (final long p : rings.get(r).openBelow())
                {
                    b.putLong(p);
                }
            }
            out.add(b.array());
            from = to;
        }
        return out;
    }

    static Delivered decodeDelivered(final byte[] message)
    {
        return decode(message, DELIVERED, "DELIVERED", b ->
        {
            final boolean complete = b.get() != 0;
            final int behind = b.getInt();
            final int n = count(b, 8 + 8 + 4 + 4 + 4 + 4);
            final List<DeliveredItem> items = new ArrayList<>(n);
            for (int i = 0; i < n; i++)
            {
                final long id = b.getLong();
                final long finalValue = b.getLong();
                final int finalGroup = b.getInt();
                final int client = b.getInt();
                final Destinations dst = readDestinations(b);
                final byte[] payload = new byte[count(b, 1)];
                b.get(payload);
                items.add(new DeliveredItem(id, finalValue, finalGroup, client, dst.groups(), dst.ringSeqs(), payload));
            }
            final int ringCount = count(b, 12);
            final List<SettledRing> rings = new ArrayList<>(ringCount);
            for (int r = 0; r < ringCount; r++)
            {
                final long head = b.getLong();
                final long[] open = new long[count(b, 8)];
                for (int i = 0; i < open.length; i++)
                {
                    open[i] = b.getLong();
                }
                rings.add(new SettledRing(head, open));
            }
            return new Delivered(complete, behind, items, rings);
        });
    }

    /* ---------------------------------------------------------------- BODY_REQUEST */

    /** @return the largest number of message ids that fit one {@link #BODY_REQUEST} of {@code maxBytes}. */
    static int maxBodyRequests(final int maxBytes)
    {
        return Math.max(1, (maxBytes - 1 - 4) / 8);
    }

    static byte[] bodyRequest(final long[] messageIds, final int from, final int count)
    {
        return idList(BODY_REQUEST, messageIds, from, count);
    }

    static long[] decodeBodyRequest(final byte[] message)
    {
        return decodeIdList(message, BODY_REQUEST, "BODY_REQUEST");
    }

    static byte[] ackRequest(final long[] messageIds, final int from, final int count)
    {
        return idList(ACK_REQUEST, messageIds, from, count);
    }

    static long[] decodeAckRequest(final byte[] message)
    {
        return decodeIdList(message, ACK_REQUEST, "ACK_REQUEST");
    }

    private static byte[] idList(final byte type, final long[] messageIds, final int from, final int count)
    {
        final ByteBuffer b = writer(1 + 4 + 8 * count, type);
        b.putInt(count);
        for (int i = from; i < from + count; i++)
        {
            b.putLong(messageIds[i]);
        }
        return b.array();
    }

    private static long[] decodeIdList(final byte[] message, final byte type, final String name)
    {
        return decode(message, type, name, b ->
        {
            final long[] ids = new long[count(b, 8)];
            for (int i = 0; i < ids.length; i++)
            {
                ids[i] = b.getLong();
            }
            return ids;
        });
    }

    /* ---------------------------------------------------------------- PROPOSALS */

    /** @return the largest number of proposals that fit one message of {@code maxBytes}. */
    static int maxProposals(final int maxBytes)
    {
        return (maxBytes - 1 - 4 - 8 - 4) / 16;
    }

    static byte[] proposals(final int group, final long ballot, final long[] idsAndValues, final int from, final int count)
    {
        final ByteBuffer b = writer(1 + 4 + 8 + 4 + count * 16, PROPOSALS);
        b.putInt(group).putLong(ballot).putInt(count);
        for (int i = 0; i < count; i++)
        {
            b.putLong(idsAndValues[2 * (from + i)]).putLong(idsAndValues[2 * (from + i) + 1]);
        }
        return b.array();
    }

    /** Decoded {@link #PROPOSALS}. */
    record Proposals(int group, long ballot, List<Proposal> proposals)
    {
    }

    static Proposals decodeProposals(final byte[] message)
    {
        return decode(message, PROPOSALS, "PROPOSALS", b ->
        {
            final int group = b.getInt();
            final long ballot = b.getLong();
            final int n = count(b, 16);
            final List<Proposal> list = new ArrayList<>(n);
            for (int i = 0; i < n; i++)
            {
                list.add(new Proposal(b.getLong(), b.getLong()));
            }
            return new Proposals(group, ballot, list);
        });
    }

    /* ---------------------------------------------------------------- CATCH_UP, NACK, NEW_LEADER */

    static byte[] ballotMessage(final byte type, final int group, final long ballot)
    {
        final ByteBuffer b = writer(1 + 4 + 8, type);
        b.putInt(group).putLong(ballot);
        return b.array();
    }

    /**
     * A decoded message that carries a group and a ballot ({@link #CATCH_UP_NACK}, {@link #NEW_LEADER},
     * {@link #HAND_OVER}).
     */
    record GroupBallot(int group, long ballot)
    {
    }

    static GroupBallot decodeBallotMessage(final byte[] message, final byte type)
    {
        return decode(message, type, "control message of type " + type, b ->
        {
            return new GroupBallot(b.getInt(), b.getLong());
        });
    }

    /**
     * Decoded {@link #CATCH_UP}: a candidate's ballot (or, in the ballot a process already leads,
     * a leader asking a member where to resume its stream) and the sender's last delivery.
     */
    record CatchUp(int group, long ballot, Mark delivered)
    {
    }

    static byte[] catchUp(final CatchUp c)
    {
        final ByteBuffer b = writer(1 + 4 + 8 + MARK_BYTES, CATCH_UP);
        b.putInt(c.group()).putLong(c.ballot());
        putMark(b, c.delivered());
        return b.array();
    }

    static CatchUp decodeCatchUp(final byte[] message)
    {
        return decode(message, CATCH_UP, "CATCH_UP", b -> new CatchUp(b.getInt(), b.getLong(), getMark(b)));
    }

    /**
     * Decoded {@link #CATCH_UP_STALE}: the group, the ballot the refuser follows and the last
     * delivery it forgot (the candidate must have delivered up to there).
     */
    record Stale(int group, long ballot, Mark forgotten)
    {
    }

    static byte[] stale(final Stale s)
    {
        final ByteBuffer b = writer(1 + 4 + 8 + MARK_BYTES, CATCH_UP_STALE);
        b.putInt(s.group()).putLong(s.ballot());
        putMark(b, s.forgotten());
        return b.array();
    }

    static Stale decodeStale(final byte[] message)
    {
        return decode(message, CATCH_UP_STALE, "CATCH_UP_STALE", b -> new Stale(b.getInt(), b.getLong(), getMark(b)));
    }

    /* ---------------------------------------------------------------- CATCH_UP_ENTRIES */

    /**
     * Encodes entries into as many messages of at most {@code maxBytes} as needed.
     */
    static List<byte[]> catchUpEntries(final long ballot, final List<EntryInfo> entries, final int maxBytes)
    {
        final List<byte[]> messages = new ArrayList<>();
        final int header = 1 + 8 + 4;
        int from = 0;
        while (from < entries.size())
        {
            int bytes = header;
            int to = from;
            while (to < entries.size() && (to == from || bytes + entries.get(to).encodedBytes() <= maxBytes))
            {
                bytes += entries.get(to).encodedBytes();
                to++;
            }
            if (bytes > maxBytes)
            {
                throw new IllegalStateException("one catch-up entry of " + bytes + " bytes exceeds " + maxBytes);
            }
            final ByteBuffer b = writer(bytes, CATCH_UP_ENTRIES);
            b.putLong(ballot).putInt(to - from);
            for (int i = from; i < to; i++)
            {
                final EntryInfo e = entries.get(i);
                b.putLong(e.messageId()).putInt(e.clientOrdinal()).putInt(e.destinations().length);
                b.put((byte)((e.hasBody() ? 1 : 0) | (e.delivered() ? 2 : 0)));
                for (int d = 0; d < e.destinations().length; d++)
                {
                    b.putInt(e.destinations()[d]).putLong(e.ringSeqs()[d]);
                }
                b.putInt(e.proposals().size());
                for (final KnownProposal p : e.proposals())
                {
                    b.putInt(p.group()).putLong(p.ballot()).putLong(p.value());
                }
            }
            messages.add(b.array());
            from = to;
        }
        return messages;
    }

    /** Decoded {@link #CATCH_UP_ENTRIES}. */
    record CatchUpEntries(long ballot, List<EntryInfo> entries)
    {
    }

    static CatchUpEntries decodeCatchUpEntries(final byte[] message)
    {
        return decode(message, CATCH_UP_ENTRIES, "CATCH_UP_ENTRIES", b ->
        {
            final long ballot = b.getLong();
            final int n = count(b, 21);
            final List<EntryInfo> list = new ArrayList<>(n);
            for (int i = 0; i < n; i++)
            {
                final long id = b.getLong();
                final int clientOrdinal = b.getInt();
                final int k = count(b, 13);
                final byte flags = b.get();
                final int[] destinations = new int[k];
                final long[] ringSeqs = new long[k];
                for (int d = 0; d < k; d++)
                {
                    destinations[d] = b.getInt();
                    ringSeqs[d] = b.getLong();
                }
                final int p = count(b, 20);
                final List<KnownProposal> proposals = new ArrayList<>(p);
                for (int j = 0; j < p; j++)
                {
                    proposals.add(new KnownProposal(b.getInt(), b.getLong(), b.getLong()));
                }
                list.add(new EntryInfo(id, clientOrdinal, destinations, ringSeqs, (flags & 1) != 0, (flags & 2) != 0,
                    proposals));
            }
            return new CatchUpEntries(ballot, list);
        });
    }

    /* ---------------------------------------------------------------- CATCH_UP_END */

    /**
     * Decoded {@link #CATCH_UP_END}: the end of a promise.
     *
     * @param ballot         the promised ballot.
     * @param acceptedBallot ballot of the last stream the replier applied.
     * @param acceptedSeq    last sequence it applied in that stream.
     * @param reissuedUpTo   how far it read that ballot's recovery re-issues: the highest value of a
     *                       record of the ballot, {@link Long#MAX_VALUE} once it read the RECOVERED
     *                       marker (an own proposal of an earlier ballot below it, not re-issued, was
     *                       never decided).
     * @param clock          the replier's clock.
     * @param entryCount     entries sent before this message.
     * @param ringHeads      per client ordinal: every ring sequence below was delivered by the replier.
     * @param delivered      the replier's last delivery.
     * @param forgotten      the last delivery the replier no longer holds ({@link Mark#NONE} if it holds
     *                       every one): a leader that has not delivered up to it could not re-issue it.
     */
    record CatchUpEnd(
        long ballot, long acceptedBallot, long acceptedSeq, long reissuedUpTo, long clock, int entryCount, long[] ringHeads,
        Mark delivered, Mark forgotten)
    {
        /** A report of a member that delivered nothing (and forgot nothing). */
        CatchUpEnd(
            final long ballot, final long acceptedBallot, final long acceptedSeq, final long reissuedUpTo,
            final long clock, final int entryCount, final long[] ringHeads)
        {
            this(ballot, acceptedBallot, acceptedSeq, reissuedUpTo, clock, entryCount, ringHeads, Mark.NONE, Mark.NONE);
        }
    }

    static byte[] catchUpEnd(final CatchUpEnd end)
    {
        final ByteBuffer b = writer(1 + 8 * 5 + 4 + 4 + end.ringHeads().length * 8 + 2 * MARK_BYTES, CATCH_UP_END);
        b.putLong(end.ballot()).putLong(end.acceptedBallot()).putLong(end.acceptedSeq()).putLong(end.reissuedUpTo())
            .putLong(end.clock());
        b.putInt(end.entryCount()).putInt(end.ringHeads().length);
        for (final long h : end.ringHeads())
        {
            b.putLong(h);
        }
        putMark(b, end.delivered());
        putMark(b, end.forgotten());
        return b.array();
    }

    static CatchUpEnd decodeCatchUpEnd(final byte[] message)
    {
        return decode(message, CATCH_UP_END, "CATCH_UP_END", b ->
        {
            final long ballot = b.getLong();
            final long acceptedBallot = b.getLong();
            final long acceptedSeq = b.getLong();
            final long reissuedUpTo = b.getLong();
            final long clock = b.getLong();
            final int entryCount = b.getInt();
            final int n = count(b, 8);
            final long[] heads = new long[n];
            for (int i = 0; i < n; i++)
            {
                heads[i] = b.getLong();
            }
            return new CatchUpEnd(ballot, acceptedBallot, acceptedSeq, reissuedUpTo, clock, entryCount, heads, getMark(b),
                getMark(b));
        });
    }

    /* ---------------------------------------------------------------- RELAY */

    static byte[] relay(final Relay r)
    {
        final int k = r.destinations().length;
        final ByteBuffer b = writer(1 + 4 + 8 + 4 + k * 12 + 4 + r.payload().length, RELAY);
        b.putInt(r.clientOrdinal()).putLong(r.messageId());
        writeDestinations(b, r.destinations(), r.ringSeqs());
        b.putInt(r.payload().length).put(r.payload());
        return b.array();
    }

    static Relay decodeRelay(final byte[] message)
    {
        return decode(message, RELAY, "RELAY", b ->
        {
            final int clientOrdinal = b.getInt();
            final long id = b.getLong();
            final Destinations dst = readDestinations(b);
            final int[] destinations = dst.groups();
            final long[] ringSeqs = dst.ringSeqs();
            final int length = count(b, 1);
            final byte[] payload = new byte[length];
            b.get(payload);
            return new Relay(clientOrdinal, id, destinations, ringSeqs, payload);
        });
    }
}
