package io.ramcast.multicast;

/**
 * Memory regions and record layouts of RamCast (ramcast-protocol.md §B.4). Every record ends with
 * a sealing word written last; a reader accepts a record only when the seal matches every field it
 * read (or, for a body, its checksum does), since the bytes of one write may be placed in any
 * order (the {@code Fabric} contract; §F.15), and reads it again later otherwise. All offsets and
 * sizes are multiples of 8.
 *
 * <h2>Regions of a server process p in group g</h2>
 * <pre>
 *  id  region        size                                   written by
 *  --  ------------  -------------------------------------  ----------------------------------
 *   1  RINGS         clients × Q × S                        each client, into its own ring
 *   2  ACKS          clients × 16Q × groups × maxGroupSize×32 followers of any group (Task 3)
 *   3  STREAM        streamRecords × 64                     the leader of g only (permission)
 *   5  STORED        maxGroupSize × 32                      each member of g (H1, flow control)
 *  10  HELLO         clients × 8                            each client: its incarnation
 *   4  CONTROL       servers × mailboxBytes                 each server: protocol messages (below)
 *   6  CONTROL_CREDIT processes × 8                         each server: consumed-up-to position
 * </pre>
 * <p>CONTROL is a second set of mailboxes, private to the protocol: proposals to other groups'
 * leaders (Task 2), CATCH_UP and its replies (Tasks 7–9), NEW_LEADER announcements and relayed
 * messages (Task 10), encoded by {@code ControlMessages}. Each sender writes its own ring, so a
 * deposed leader and its successor never write the same memory of a receiver.
 * <h2>Regions of every process</h2>
 * <pre>
 *  11  HEARTBEAT     processes × 8                          each monitored process: its counter
 * </pre>
 * <h2>Regions of a client process c</h2>
 * <pre>
 *   7  FLOW          servers × 40                           each server: its ring position cell
 * </pre>
 * <h2>Mailboxes (every process; see {@code Mailboxes})</h2>
 * <pre>
 *   8  MAILBOX         servers × mailboxBytes               each server, into its own ring
 *   9  MAILBOX_CREDIT  processes × 16  (servers only)      each receiver: consumed-up-to position, seal
 * </pre>
 *
 * <p>Stateless; thread-safe.
 */
final class Layout
{
    static final int RINGS_REGION = 1;
    static final int ACKS_REGION = 2;
    static final int STREAM_REGION = 3;
    static final int CONTROL_REGION = 4;
    static final int STORED_REGION = 5;
    static final int CONTROL_CREDIT_REGION = 6;
    static final int FLOW_REGION = 7;
    static final int MAILBOX_REGION = 8;
    static final int MAILBOX_CREDIT_REGION = 9;
    static final int HELLO_REGION = 10;
    static final int HEARTBEAT_REGION = 11;
    /** Exclusive upper bound of region ids. */
    static final int REGION_COUNT = 12;

    /*
     * Message slot, written by the client in one write (Task 1, Relay).
     *
     *  0                   1                   2                   3
     *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
     * +---------------------------------------------------------------+
     * |                 ring sequence (this ring), long               |  0
     * +---------------------------------------------------------------+
     * |                 message id (sender, seq), long                |  8
     * +-------------------------------+-------------------------------+
     * |        payload length         |      destination count k      | 16
     * +-------------------------------+-------------------------------+
     * |   k × { group id int, pad int, ring sequence in that group }  | 24
     * +---------------------------------------------------------------+
     * |                   payload, padded to 8 bytes                  |
     * +-------------------------------+-------------------------------+
     * |  CRC32C over [8, payload end) |              0                |
     * +-------------------------------+-------------------------------+
     * |              seal = ring sequence (this ring), long           |
     * +---------------------------------------------------------------+
     *
     * The slot of a message in a ring is ringSequence & (Q - 1); every member of a group holds it at
     * the same slot because the client writes the same sequence of messages to every member.
     * Read and written only through SlotFlyweight (checksum included).
     */
    static final int SLOT_RING_SEQ_OFFSET = 0;
    static final int SLOT_MESSAGE_ID_OFFSET = 8;
    static final int SLOT_PAYLOAD_LENGTH_OFFSET = 16;
    static final int SLOT_DESTINATION_COUNT_OFFSET = 20;
    static final int SLOT_DESTINATIONS_OFFSET = 24;
    static final int SLOT_DESTINATION_ENTRY_BYTES = 16;
    static final int SLOT_TRAILER_BYTES = 16;

    /*
     * Ack cell (Task 3), one per (client, ring sequence modulo 16Q in the receiver's group, acking
     * group, member).
     *
     * +---------------------------------------------------------------+
     * |            ballot of the acked proposal, long                 |  0
     * +---------------------------------------------------------------+
     * |            value of the acked proposal, long                  |  8
     * +---------------------------------------------------------------+
     * |            message id, long (validates the slot occupant)     | 16
     * +---------------------------------------------------------------+
     * |            seal = mix(ballot, value, id), long                | 24
     * +---------------------------------------------------------------+
     *
     * Cells are never cleared: a reader counts an ack only if its id is the current occupant's and
     * its (ballot, value) is the proposal being checked (§F.10). Read and written only through
     * AckCellFlyweight (seal included).
     */
    static final int ACK_CELL_BYTES = 32;
    static final int ACK_BALLOT_OFFSET = 0;
    static final int ACK_VALUE_OFFSET = 8;
    static final int ACK_MESSAGE_ID_OFFSET = 16;
    static final int ACK_SEAL_OFFSET = 24;

    /*
     * Leader-stream record (H2), ring index seq & (streamRecords - 1), written by the leader of the
     * follower's group, read strictly in sequence order.
     *
     * +---------------------------------------------------------------+
     * |                  stream sequence, long (from 1)               |  0
     * +---------------------------------------------------------------+
     * |                  ballot of the writing leader, long           |  8
     * +-------------------------------+-------------------------------+
     * | kind (1 OWN, 2 FWD, 3 RECOV.) |   group whose proposal it is  | 16
     * +-------------------------------+-------------------------------+
     * |                  message id, long                             | 24
     * +---------------------------------------------------------------+
     * |                  ballot of the proposal, long                 | 32
     * +---------------------------------------------------------------+
     * |                  value of the proposal, long                  | 40
     * +---------------------------------------------------------------+
     * |  ring sequence of the message in this group, 0 if unknown     | 48
     * +---------------------------------------------------------------+
     * |                  seal = mix(all of the above), long           | 56
     * +---------------------------------------------------------------+
     *
     * Read and written only through StreamRecordFlyweight (seal included).
     */
    static final int STREAM_RECORD_BYTES = 64;
    static final int STREAM_SEQ_OFFSET = 0;
    static final int STREAM_BALLOT_OFFSET = 8;
    static final int STREAM_KIND_OFFSET = 16;
    static final int STREAM_GROUP_OFFSET = 20;
    static final int STREAM_MESSAGE_ID_OFFSET = 24;
    static final int STREAM_PROPOSAL_BALLOT_OFFSET = 32;
    static final int STREAM_VALUE_OFFSET = 40;
    /** Lets a follower recognise a record for a message it delivered and no longer holds. */
    static final int STREAM_RING_SEQ_OFFSET = 48;
    static final int STREAM_SEAL_OFFSET = 56;
    static final int KIND_OWN = 1;
    static final int KIND_FWD = 2;
    /**
     * Ends the records a new leader re-issued from its recovery (§C.7.2 step 3): an own proposal
     * of an earlier ballot that was not re-issued before it was never decided and no longer bounds
     * delivery; the value is the recovered clock.
     */
    static final int KIND_RECOVERED = 3;

    /*
     * Stored-up-to cell (H1), one per member of the own group, written by that member: "I hold the
     * leader stream of ballot b up to sequence s". Also the leader's flow control for STREAM.
     *
     * +---------------------------------------------------------------+
     * |                  ballot, long                                 |  0
     * +---------------------------------------------------------------+
     * |                  stored up to sequence (inclusive), long      |  8
     * +---------------------------------------------------------------+
     * |                  reserved, 0                                  | 16
     * +---------------------------------------------------------------+
     * |                  seal = mix(ballot, seq), long                | 24
     * +---------------------------------------------------------------+
     *
     * Read and written only through StoredCellFlyweight (seal included).
     */
    static final int STORED_CELL_BYTES = 32;
    static final int STORED_BALLOT_OFFSET = 0;
    static final int STORED_SEQ_OFFSET = 8;
    static final int STORED_SEAL_OFFSET = 24;

    /*
     * Single-word cells, written whole by one writer (an aligned 8-byte store is atomic):
     *   HEARTBEAT[p]:    process p's heartbeat counter, advanced every heartbeat interval (failure
     *                    detection, §A.3); indexed by process ordinal (servers, then clients).
     *   HELLO[client]:   the client's incarnation (non-zero, larger for every restart of that client id);
     *                    a change asks the server to publish its FLOW cell for that client.
     */
    static final int WORD_BYTES = 8;

    /*
     * FLOW cell, one per server at each client, written by that server (flow control, completion and
     * the session handshake of a client that starts or restarts).
     *
     * +---------------------------------------------------------------+
     * | freed up to: every ring sequence below is delivered and free  |  0
     * +---------------------------------------------------------------+
     * | next ring sequence the server expects from this client        |  8
     * +---------------------------------------------------------------+
     * | highest message sequence the server took from this client     | 16
     * +---------------------------------------------------------------+
     * | incarnation of the client this cell answers (0: none yet)     | 24
     * +---------------------------------------------------------------+
     * | seal = mix(all of the above), long                            | 32
     * +---------------------------------------------------------------+
     *
     * Read and written only through FlowCellFlyweight (seal included).
     */
    static final int FLOW_CELL_BYTES = 40;
    static final int FLOW_FREED_OFFSET = 0;
    static final int FLOW_NEXT_RING_SEQ_OFFSET = 8;
    static final int FLOW_LAST_SEQUENCE_OFFSET = 16;
    static final int FLOW_INCARNATION_OFFSET = 24;
    static final int FLOW_SEAL_OFFSET = 32;

    /*
     * Mailbox record, in a byte ring addressed by a monotonic byte position (index = position &
     * (mailboxBytes - 1)); records are never split across the ring's end: a PADDING record (or, when
     * fewer than MAILBOX_MIN_RECORD_BYTES remain, nothing) fills the tail and both sides skip it.
     *
     * +-------------------------------+-------------------------------+
     * |       payload length          |   type (1 MESSAGE, 2 PADDING) |  0
     * +-------------------------------+-------------------------------+
     * |     CRC32C of the payload     |      ring session             |  8
     * +-------------------------------+-------------------------------+
     * |                   payload, padded to 8 bytes                  | 16
     * +---------------------------------------------------------------+
     * |     seal = mix(position, length, type, crc, session), long    |
     * +---------------------------------------------------------------+
     *
     * The session is the writer's random number for the ring's current run: a writer starts its ring
     * to a receiver over at position 0 under a new session whenever a new connection to it is made
     * (see Mailboxes), so no record of an earlier run ever validates in a later one. A receiver's
     * consumed-up-to word at the writer is followed by its seal, mix(consumed, session).
     *
     * Read and written only through MailboxRecordFlyweight (seal and checksum included).
     */
    static final int MAILBOX_LENGTH_OFFSET = 0;
    static final int MAILBOX_TYPE_OFFSET = 4;
    static final int MAILBOX_CHECKSUM_OFFSET = 8;
    static final int MAILBOX_SESSION_OFFSET = 12;
    static final int MAILBOX_PAYLOAD_OFFSET = 16;
    static final int MAILBOX_HEADER_BYTES = MAILBOX_PAYLOAD_OFFSET;
    static final int MAILBOX_MIN_RECORD_BYTES = MAILBOX_HEADER_BYTES + WORD_BYTES;
    static final int MAILBOX_TYPE_MESSAGE = 1;
    static final int MAILBOX_TYPE_PADDING = 2;

    private Layout()
    {
    }

    static int mailboxRecordBytes(final int payloadLength)
    {
        return MAILBOX_HEADER_BYTES + align8(payloadLength) + WORD_BYTES;
    }

    static int maxPayloadBytes(final int slotSizeBytes, final int destinationCount)
    {
        final int room = slotSizeBytes - SLOT_DESTINATIONS_OFFSET -
            destinationCount * SLOT_DESTINATION_ENTRY_BYTES - SLOT_TRAILER_BYTES;
        return Math.max(0, room);
    }

    static int slotRecordBytes(final int payloadLength, final int destinationCount)
    {
        return SLOT_DESTINATIONS_OFFSET + destinationCount * SLOT_DESTINATION_ENTRY_BYTES +
            align8(payloadLength) + SLOT_TRAILER_BYTES;
    }

    static int payloadOffset(final int destinationCount)
    {
        return SLOT_DESTINATIONS_OFFSET + destinationCount * SLOT_DESTINATION_ENTRY_BYTES;
    }

    static int align8(final int n)
    {
        return (n + 7) & ~7;
    }

    static int ringsBytes(final GroupTopology t, final MulticastOptions o)
    {
        return t.clientCount() * o.ringSlots() * o.slotSizeBytes();
    }

    static int ringOffset(final int clientOrdinal, final long ringSeq, final MulticastOptions o)
    {
        final int slot = (int)(ringSeq & (o.ringSlots() - 1));
        return (clientOrdinal * o.ringSlots() + slot) * o.slotSizeBytes();
    }

    /**
     * Ack cells per client and group ring: sixteen times the ring. A client writes a slot again
     * once a majority of the group freed it and keeps a member's postponed writes to at most
     * {@link #MAX_DEFERRED_RINGS} rings (else it gives the member up), so a member that lags
     * behind (paused, slow) still finds the acks of every message it has not delivered: acks for
     * ring sequence r and r + 16Q never coexist at a member.
     */
    static int ackSlots(final MulticastOptions o)
    {
        return ACK_SLOTS_PER_RING_SLOT * o.ringSlots();
    }

    /** Ack cells per ring slot. */
    static final int ACK_SLOTS_PER_RING_SLOT = 16;
    /** A client postpones at most this many rings' worth of writes for one member. */
    static final int MAX_DEFERRED_RINGS = ACK_SLOTS_PER_RING_SLOT - 1;

    static int acksBytes(final GroupTopology t, final MulticastOptions o)
    {
        return t.clientCount() * ackSlots(o) * t.groupCount() * t.maxGroupSize() * ACK_CELL_BYTES;
    }

    static int ackOffset(
        final GroupTopology t, final MulticastOptions o, final int clientOrdinal, final long ringSeq,
        final int ackingGroup, final int memberIndex)
    {
        final int slots = ackSlots(o);
        final int slot = (int)(ringSeq & (slots - 1));
        return (((clientOrdinal * slots + slot) * t.groupCount() + ackingGroup) * t.maxGroupSize() +
            memberIndex) * ACK_CELL_BYTES;
    }

    static int streamBytes(final MulticastOptions o)
    {
        return o.streamRecords() * STREAM_RECORD_BYTES;
    }

    static int streamOffset(final long seq, final MulticastOptions o)
    {
        return (int)(seq & (o.streamRecords() - 1)) * STREAM_RECORD_BYTES;
    }

    static int storedBytes(final GroupTopology t)
    {
        return t.maxGroupSize() * STORED_CELL_BYTES;
    }

    static int heartbeatBytes(final GroupTopology t)
    {
        return (t.serverCount() + t.clientCount()) * WORD_BYTES;
    }

    static int flowBytes(final GroupTopology t)
    {
        return t.serverCount() * FLOW_CELL_BYTES;
    }

    static int helloBytes(final GroupTopology t)
    {
        return t.clientCount() * WORD_BYTES;
    }

    /**
     * A cheap 64-bit mix of record words for seals: detects a torn or stale record with
     * overwhelming probability. Never returns 0, so a zeroed cell never validates.
     */
    static long seal(final long a, final long b, final long c, final long d)
    {
        long h = 0x9E3779B97F4A7C15L;
        h = mix(h ^ a);
        h = mix(h ^ b);
        h = mix(h ^ c);
        h = mix(h ^ d);
        return h == 0 ? 1 : h;
    }

    private static long mix(final long x)
    {
        long z = x * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 31)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 29);
    }
}
