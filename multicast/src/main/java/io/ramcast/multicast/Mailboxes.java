package io.ramcast.multicast;

import io.ramcast.multicast.fabric.Fabric;
import io.ramcast.multicast.fabric.LocalRegion;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.zip.CRC32C;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Point-to-point, ordered, reliable messages from a server to any process, over the same fabric
 * as RamCast: the transport for replies to clients and for exchanging reads between partitions.
 * It knows nothing of what the messages mean.
 *
 * <p>Every process holds one byte ring per server that may write to it (region MAILBOX); a sending
 * server keeps one sealed word per receiver (region MAILBOX_CREDIT) in which the receiver publishes
 * how far it has consumed, so a writer never overwrites an unread record (record layout in
 * {@link Layout}). Messages that do not fit yet wait in a per-receiver backlog, in order; the
 * caller bounds what it queues.
 *
 * <p><b>Sessions.</b> A ring runs in a <em>session</em>, a random number the writer mixes into every
 * record's seal. Whenever the fabric makes a new connection to a receiver (it restarted, or the
 * connection was lost and made again: writes of the old one may never have landed), the writer
 * starts that ring over at position 0 under a new session and drops what was queued for the old
 * connection; a receiver whose next record does not validate looks at position 0 and, if a record
 * of another session validates there, follows that session from there. So two processes talk
 * again after either restarts or their link heals, in both directions; messages in flight at that
 * moment may be lost (every user of the mailboxes asks again for what it waits for), never
 * delivered twice or out of order within a session. Consumed-up-to words carry the session too,
 * so a receiver's word from an old session never frees room in a new one.
 *
 * <p>Threading: agent thread only. Errors: a message over {@link MulticastOptions#maxMailboxMessageBytes()}
 * or to an unknown process throws {@link IllegalArgumentException}; a record that passes its seal
 * but fails its checksum breaks an invariant and throws {@link IllegalStateException}.
 */
final class Mailboxes
{
    private static final Logger LOG = LoggerFactory.getLogger(Mailboxes.class);
    /** A record failing its checksum this many polls in a row is reported (once): it is not being placed. */
    private static final long STUCK_CHECKSUM_FAILURES = 1_000_000;

    private final GroupTopology topology;
    private final int selfId;
    private final int selfOrdinal;
    private final int capacity;
    private final int mask;
    private final int maxMessageBytes;
    private final MessageHandler handler;
    private final int ringRegion;
    private final int creditRegion;
    private final AtomicBuffer rings;
    private final AtomicBuffer credits;
    private final Outbox outbox;
    private final UnsafeBuffer record;
    /** Bytes of one receiver's consumed-up-to word and its seal in the MAILBOX_CREDIT region. */
    static final int CREDIT_BYTES = 2 * Layout.WORD_BYTES;
    private final UnsafeBuffer creditScratch = new UnsafeBuffer(ByteBuffer.allocateDirect(CREDIT_BYTES));
    private final CRC32C crc = new CRC32C();
    /** View of {@link #record} (servers only); wrapped once. */
    private final MailboxRecordFlyweight recordOut = new MailboxRecordFlyweight();
    /** View of a record in {@link #rings}, re-wrapped per record. */
    private final MailboxRecordFlyweight recordIn = new MailboxRecordFlyweight();

    /* as a writer, per receiver process ordinal */
    private final long[] writePosition;
    /** The session of the ring to each receiver; never 0. */
    private final int[] writeSession;
    /** The connection epoch of each receiver's ring handle the session was started for (0: none seen). */
    private final long[] sessionEpoch;
    /** The receiver's highest consumed-up-to word that validated for the current session. */
    private final long[] consumedValid;
    private long sessionsStarted;
    private final ArrayList<ArrayDeque<byte[]>> backlog;
    private long backlogCount;
    private long droppedPeerDown;
    /* as a reader, per sending server ordinal */
    private final long[] readPosition;
    /** Checksum failures in a row of the record at each sender's read position. */
    private final long[] checksumFailuresInARow;
    /** Records read before their payload was whole (seal and header placed first), read again later. */
    private long tornReads;
    /** The session followed in each sender's ring; 0 before the first record. */
    private final int[] readSession;
    private final long[] creditPublished;

    Mailboxes(final GroupTopology topology, final MulticastOptions options, final Fabric fabric, final MessageHandler handler)
    {
        this(topology, options, fabric, handler, Layout.MAILBOX_REGION, Layout.MAILBOX_CREDIT_REGION);
    }

    /**
     * @param ringRegion   region id of the rings this process reads (one per sending server).
     * @param creditRegion region id, at a sending server, of its receivers' consumed-up-to words.
     */
    Mailboxes(
        final GroupTopology topology, final MulticastOptions options, final Fabric fabric, final MessageHandler handler,
        final int ringRegion, final int creditRegion)
    {
        this.topology = topology;
        this.ringRegion = ringRegion;
        this.creditRegion = creditRegion;
        this.selfId = fabric.selfId();
        this.selfOrdinal = processOrdinal(topology, selfId);
        this.capacity = options.mailboxBytes();
        this.mask = capacity - 1;
        this.maxMessageBytes = options.maxMailboxMessageBytes();
        this.handler = handler;
        final LocalRegion[] regions = new LocalRegion[Layout.REGION_COUNT];
        final int servers = topology.serverCount();
        regions[ringRegion] = fabric.register(ringRegion, servers * capacity, true);
        rings = regions[ringRegion].buffer();
        final int processes = servers + topology.clientCount();
        if (topology.isServer(selfId))
        {
            regions[creditRegion] = fabric.register(creditRegion, processes * CREDIT_BYTES, true);
            credits = regions[creditRegion].buffer();
            writePosition = new long[processes];
            writeSession = new int[processes];
            for (int r = 0; r < processes; r++)
            {
                writeSession[r] = newSession(0);
            }
            sessionEpoch = new long[processes];
            consumedValid = new long[processes];
            backlog = newBacklog(processes);
            record = new UnsafeBuffer(ByteBuffer.allocateDirect(Layout.mailboxRecordBytes(maxMessageBytes)));
            recordOut.wrap(record, 0);
        }
        else
        {
            credits = null;
            writePosition = null;
            writeSession = null;
            sessionEpoch = null;
            consumedValid = null;
            backlog = null;
            record = null;
        }
        outbox = new Outbox(fabric, ServerProtocol.maxProcessId(topology), regions);
        readPosition = new long[servers];
        checksumFailuresInARow = new long[servers];
        readSession = new int[servers];
        creditPublished = new long[servers];
    }

    /** @return a random session number, not 0 and not {@code previous}. */
    private static int newSession(final int previous)
    {
        int s;
        do
        {
            s = java.util.concurrent.ThreadLocalRandom.current().nextInt();
        }
        while (s == 0 || s == previous);
        return s;
    }

    /**
     * Starts the ring to receiver ordinal {@code receiver} over at position 0 under a new session,
     * dropping the writes still queued for it (they were meant for an earlier connection).
     */
    private void startOver(final int receiver, final int peerId)
    {
        writePosition[receiver] = 0;
        writeSession[receiver] = newSession(writeSession[receiver]);
        consumedValid[receiver] = 0;
        outbox.discardQueued(peerId);
        sessionsStarted++;
    }

    /**
     * A new connection to the receiver since its session started: start the ring over. Writes
     * issued before the first connection wait for it and go out on it, so they belong to epoch 1.
     */
    private void checkSession(final int receiver, final int peerId)
    {
        if (peerId == selfId)
        {
            return;
        }
        final long epoch = Math.max(1, outbox.handle(peerId, ringRegion).connectionEpoch());
        if (epoch != sessionEpoch[receiver])
        {
            if (sessionEpoch[receiver] != 0)
            {
                startOver(receiver, peerId);
            }
            sessionEpoch[receiver] = epoch;
        }
    }

    /** @return how far the receiver consumed in the current session, from its last word that validated. */
    private long consumed(final int receiver)
    {
        final int at = receiver * CREDIT_BYTES;
        final long seal = credits.getLongVolatile(at + Layout.WORD_BYTES);
        final long consumed = credits.getLongVolatile(at);
        if (seal == MailboxRecordFlyweight.creditSealOf(consumed, writeSession[receiver]) &&
            consumed > consumedValid[receiver])
        {
            consumedValid[receiver] = consumed;
        }
        return consumedValid[receiver];
    }

    private static ArrayList<ArrayDeque<byte[]>> newBacklog(final int n)
    {
        final ArrayList<ArrayDeque<byte[]>> queues = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            queues.add(new ArrayDeque<>());
        }
        return queues;
    }

    static int processOrdinal(final GroupTopology topology, final int processId)
    {
        final int s = topology.serverOrdinalOf(processId);
        if (s >= 0)
        {
            return s;
        }
        final int c = topology.clientOrdinalOf(processId);
        return c >= 0 ? topology.serverCount() + c : -1;
    }

    /**
     * Checks a message before it is queued anywhere.
     *
     * @throws IllegalArgumentException for an unknown receiver or an oversize message.
     */
    static void validate(final GroupTopology topology, final MulticastOptions options, final int peerId, final byte[] message)
    {
        if (processOrdinal(topology, peerId) < 0)
        {
            throw new IllegalArgumentException("unknown process " + peerId);
        }
        if (message.length > options.maxMailboxMessageBytes())
        {
            throw new IllegalArgumentException("message of " + message.length + " bytes exceeds the limit of " +
                options.maxMailboxMessageBytes() + " bytes (mailboxBytes=" + options.mailboxBytes() + ")");
        }
    }

    /** Sends {@code message} to {@code peerId}, after every earlier message to that peer. Server only. */
    void send(final int peerId, final byte[] message)
    {
        if (writePosition == null)
        {
            throw new IllegalStateException("process " + selfId + " is not a server; only servers send messages");
        }
        final int receiver = processOrdinal(topology, peerId);
        if (receiver < 0 || message.length > maxMessageBytes)
        {
            throw new IllegalArgumentException("cannot send " + message.length + " bytes to process " + peerId);
        }
        final ArrayDeque<byte[]> queue = backlog.get(receiver);
        if (peerDown(peerId))
        {
            droppedPeerDown++; // the receiver is gone (crash-stop): nothing will ever read its ring
            return;
        }
        if (!queue.isEmpty() || !tryWrite(receiver, peerId, message))
        {
            queue.addLast(message);
            backlogCount++;
        }
    }

    /**
     * Starts the ring to {@code peerId} over, for a new process under that id (a restarted client
     * whose memory is fresh): messages still queued for the earlier process are dropped, and the
     * next message is written at the start of the new process's ring.
     */
    void resetReceiver(final int peerId)
    {
        if (writePosition == null)
        {
            return;
        }
        final int receiver = processOrdinal(topology, peerId);
        startOver(receiver, peerId);
        backlogCount -= backlog.get(receiver).size();
        backlog.get(receiver).clear();
    }

    /**
     * Client side, before a new incarnation of this process says HELLO: every server that sees the
     * new incarnation starts its ring to this process over at position 0 ({@link #resetReceiver}), so
     * the reader starts over too, on zeroed rings (a record of the old stream must not pass for a new
     * one), and credit writes still queued for the old stream are dropped.
     */
    void restartReading()
    {
        rings.setMemory(0, rings.capacity(), (byte)0);
        java.util.Arrays.fill(readPosition, 0);
        java.util.Arrays.fill(readSession, 0);
        java.util.Arrays.fill(creditPublished, 0);
        outbox.discardQueued();
    }

    long backlogCount()
    {
        return backlogCount;
    }

    /** @return records read before their payload was whole and read again later (torn placement). */
    long tornReads()
    {
        return tornReads;
    }

    /** @return messages dropped because the fabric reported their receiver down. */
    long droppedPeerDown()
    {
        return droppedPeerDown;
    }

    /** @return whether the fabric reports the connection to {@code peerId} lost. */
    boolean peerDown(final int peerId)
    {
        return peerId != selfId &&
            outbox.handle(peerId, ringRegion).status() == io.ramcast.multicast.fabric.RemoteRegion.Status.PEER_DOWN;
    }

    int doWork()
    {
        int work = outbox.flush();
        if (backlogCount > 0)
        {
            work += flushBacklog();
        }
        work += poll();
        return work;
    }

    private int flushBacklog()
    {
        int work = 0;
        final int[] servers = topology.servers();
        final int[] clients = topology.clients();
        for (int receiver = 0; receiver < backlog.size(); receiver++)
        {
            final ArrayDeque<byte[]> queue = backlog.get(receiver);
            final int peerId = receiver < servers.length ? servers[receiver] : clients[receiver - servers.length];
            if (!queue.isEmpty() && peerDown(peerId))
            {
                droppedPeerDown += queue.size();
                backlogCount -= queue.size();
                queue.clear();
                continue;
            }
            byte[] message;
            while ((message = queue.peekFirst()) != null && tryWrite(receiver, peerId, message))
            {
                queue.pollFirst();
                backlogCount--;
                work++;
            }
        }
        return work;
    }

    private boolean tryWrite(final int receiver, final int peerId, final byte[] message)
    {
        checkSession(receiver, peerId);
        final long position = writePosition[receiver];
        final int recordBytes = Layout.mailboxRecordBytes(message.length);
        final int index = (int)(position & mask);
        final int tail = capacity - index;
        final int padding = tail < recordBytes ? tail : 0;
        final long consumed = consumed(receiver);
        if (position + padding + recordBytes - consumed > capacity)
        {
            return false;
        }
        final int ringBase = topology.serverOrdinalOf(selfId) * capacity;
        if (padding >= Layout.MAILBOX_MIN_RECORD_BYTES)
        {
            recordOut.writePadding(position, padding, writeSession[receiver]);
            outbox.write(peerId, ringRegion, ringBase + index, record, padding);
        }
        final long start = position + padding;
        recordOut.writeMessage(start, message, MailboxRecordFlyweight.checksumOf(crc, message, message.length),
            writeSession[receiver]);
        outbox.write(peerId, ringRegion, ringBase + (int)(start & mask), record, recordBytes);
        writePosition[receiver] = start + recordBytes;
        return true;
    }

    private int poll()
    {
        int work = 0;
        final int[] servers = topology.servers();
        for (int s = 0; s < servers.length; s++)
        {
            final int ringBase = s * capacity;
            for (int i = 0; i < 64; i++)
            {
                final long position = readPosition[s];
                final int index = (int)(position & mask);
                final int tail = capacity - index;
                if (tail < Layout.MAILBOX_MIN_RECORD_BYTES)
                {
                    readPosition[s] = position + tail;
                    continue;
                }
                final int recordBytes = validRecordAt(ringBase, index, position, readSession[s]);
                if (recordBytes < 0)
                {
                    if (followNewSession(s, ringBase))
                    {
                        continue;
                    }
                    break; // not yet written (or torn); the seal decides once it is whole
                }
                final int length = recordIn.length();
                final int type = recordIn.type();
                final int checksum = recordIn.checksum();
                readPosition[s] = position + recordBytes;
                work++;
                if (type == Layout.MAILBOX_TYPE_MESSAGE)
                {
                    final byte[] message = new byte[length];
                    recordIn.getPayload(message);
                    if (MailboxRecordFlyweight.checksumOf(crc, message, length) != checksum)
                    {
                        // the seal and the header are whole, the payload not yet (a NIC may place a
                        // write's bytes in any order), or the record was overwritten while read (a new
                        // session): either way read it again later
                        readPosition[s] = position;
                        work--;
                        tornReads++;
                        if (++checksumFailuresInARow[s] == STUCK_CHECKSUM_FAILURES)
                        {
                            LOG.warn("mailbox record from process {} at {} passed its seal but has failed its checksum " +
                                "{} times in a row: a sender bug or corrupted memory; its mailbox waits", servers[s],
                                position, STUCK_CHECKSUM_FAILURES);
                        }
                        break;
                    }
                    checksumFailuresInARow[s] = 0;
                    handler.onMessage(servers[s], message);
                }
            }
            if (readPosition[s] != creditPublished[s])
            {
                creditPublished[s] = readPosition[s];
                creditScratch.putLong(0, readPosition[s]);
                creditScratch.putLong(Layout.WORD_BYTES, MailboxRecordFlyweight.creditSealOf(readPosition[s], readSession[s]));
                outbox.write(servers[s], creditRegion, selfOrdinal * CREDIT_BYTES, creditScratch, CREDIT_BYTES);
            }
        }
        return work;
    }

    /**
     * Wraps {@link #recordIn} at byte {@code index} of the ring at {@code ringBase} and validates it
     * as the record at {@code position} of session {@code session}.
     *
     * @return the record's length in bytes, or -1 if no whole record of that session and position is there.
     */
    private int validRecordAt(final int ringBase, final int index, final long position, final int session)
    {
        final int tail = capacity - index;
        recordIn.wrap(rings, ringBase + index);
        final int length = recordIn.length();
        if (length < 0 || length > tail - Layout.MAILBOX_MIN_RECORD_BYTES)
        {
            return -1;
        }
        final int recordBytes = Layout.mailboxRecordBytes(length);
        final long sealValue = recordIn.sealVolatile(recordBytes);
        if (recordIn.length() != length || recordIn.session() != session || session == 0 ||
            sealValue != MailboxRecordFlyweight.sealOf(position, length, recordIn.type(), recordIn.checksum(), session))
        {
            return -1;
        }
        return recordBytes;
    }

    /**
     * The record at the read position of sender {@code s} does not validate: if the first record of
     * another session validates at position 0, the sender started its ring over (a new connection);
     * follow that session from there.
     *
     * @return whether a new session was followed.
     */
    private boolean followNewSession(final int s, final int ringBase)
    {
        recordIn.wrap(rings, ringBase);
        final int session = recordIn.session();
        if (session == 0 || session == readSession[s] || validRecordAt(ringBase, 0, 0, session) < 0)
        {
            return false;
        }
        readSession[s] = session;
        readPosition[s] = 0;
        creditPublished[s] = -1; // the new session's consumed word is due
        return true;
    }

    /** @return how many times this process started a ring over under a new session (reconnections, new client incarnations). */
    long sessionsStarted()
    {
        return sessionsStarted;
    }

    String describe()
    {
        return "mailboxes backlog=" + backlogCount + (droppedPeerDown > 0 ? " droppedPeerDown=" + droppedPeerDown : "") +
            (outbox.queuedWrites() > 0 ? " queuedWrites=" + outbox.queuedWrites() : "") +
            (outbox.droppedRejected() > 0 ? " rejectedWrites=" + outbox.droppedRejected() : "") +
            (outbox.droppedPeerDown() > 0 ? " peerDownWrites=" + outbox.droppedPeerDown() : "");
    }
}
