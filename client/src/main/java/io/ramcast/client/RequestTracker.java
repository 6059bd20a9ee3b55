package io.ramcast.client;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Issues a client's request ids and computes the {@code settledBelow} watermark each request
 * carries, so that replicas may forget remembered outcomes the client will never ask for again.
 *
 * <p>Every request id is in one of three states:
 * <ul>
 *   <li><b>in flight</b>: an attempt is under way (from issue or retry until its outcome is known);</li>
 *   <li><b>unknown</b>: its last attempt ended without an outcome (timeout, interrupt, close); the
 *       caller may retry it. An id stays unknown for at most {@code unknownRetentionNs} and among
 *       the {@code unknownCapacity} most recent unknown ids; then it is settled;</li>
 *   <li><b>settled</b>: everything else (definite outcome, expired unknown, never sent). A settled
 *       id is never retried: {@link #beginRetry} refuses it.</li>
 * </ul>
 * The watermark is the smallest id that is in flight or unknown, or the next id to issue if there
 * is none; every id below it is settled for good, so a replica that forgets outcomes below a
 * watermark it received can never be asked for one of them again. Since new ids grow and only
 * unknown ids (which are at or above the watermark) can become in flight again, the watermark
 * never decreases.
 *
 * <p>A plain object: time comes in as {@code nowNs} arguments. Thread-safe (every method holds the
 * object's monitor, briefly, without blocking).
 */
final class RequestTracker
{
    /** One attempt: its id and the watermark it carries. */
    record Ticket(long requestId, long settledBelow, boolean retry)
    {
    }

    private record UnknownEntry(int[] partitions, long expiresAtNs)
    {
    }

    private final int unknownCapacity;
    private final long unknownRetentionNs;
    private long nextId;
    private boolean issued;
    private final TreeMap<Long, int[]> inFlight = new TreeMap<>();
    /** Unknown ids in the order they became unknown, which is also their expiry order. */
    private final LinkedHashMap<Long, UnknownEntry> unknown = new LinkedHashMap<>();
    private final TreeSet<Long> unknownIds = new TreeSet<>();

    /**
     * @param firstId            the first request id to issue.
     * @param unknownCapacity    most unknown ids kept retryable.
     * @param unknownRetentionNs how long an unknown id stays retryable, in nanoseconds.
     */
    RequestTracker(final long firstId, final int unknownCapacity, final long unknownRetentionNs)
    {
        if (unknownCapacity < 1 || unknownRetentionNs <= 0)
        {
            throw new IllegalArgumentException("unknownCapacity=" + unknownCapacity + " and unknownRetentionNs=" +
                unknownRetentionNs + " must be positive");
        }
        this.nextId = firstId;
        this.unknownCapacity = unknownCapacity;
        this.unknownRetentionNs = unknownRetentionNs;
    }

    /**
     * Moves the first id to issue, before any is issued.
     *
     * @param firstId the first request id to issue.
     * @throws IllegalStateException if an id was issued already.
     */
    synchronized void startAt(final long firstId)
    {
        if (issued)
        {
            throw new IllegalStateException("request ids were issued already; the first id can no longer move");
        }
        nextId = firstId;
    }

    /**
     * Issues the next id, in flight from now on.
     *
     * @param partitions the attempt's destination partitions (kept to check retries).
     * @param nowNs      the current time.
     * @return the ticket.
     */
    synchronized Ticket beginNew(final int[] partitions, final long nowNs)
    {
        expire(nowNs);
        final long id = nextId++;
        issued = true;
        inFlight.put(id, partitions);
        return new Ticket(id, watermark(), false);
    }

    /**
     * Makes an unknown id in flight again for a retry.
     *
     * @param requestId  the id to retry.
     * @param partitions the retry's destination partitions; must be the original ones.
     * @param nowNs      the current time.
     * @return the ticket.
     * @throws IllegalStateException    if an attempt with that id is still in flight.
     * @throws IllegalArgumentException if the id is settled, was never issued, or the partitions differ.
     */
    synchronized Ticket beginRetry(final long requestId, final int[] partitions, final long nowNs)
    {
        expire(nowNs);
        if (inFlight.containsKey(requestId))
        {
            throw new IllegalStateException("request " + requestId + " is still in flight; wait for its outcome " +
                "before retrying it");
        }
        final UnknownEntry entry = unknown.get(requestId);
        if (entry == null)
        {
            throw new IllegalArgumentException(requestId >= nextId ?
                "request " + requestId + " was never issued by this client; retry only the request id of an Unknown outcome" :
                "request " + requestId + " is settled and cannot be retried: its outcome was definite, or it was unknown " +
                "for longer than the retry window (" + unknownRetentionNs / 1_000_000 + " ms, or beyond the " +
                unknownCapacity + " most recent unknown requests), so the replicas may have forgotten it and a retry " +
                "could execute it twice");
        }
        if (!Arrays.equals(entry.partitions(), partitions))
        {
            throw new IllegalArgumentException("request " + requestId + " went to partitions " +
                Arrays.toString(entry.partitions()) + " but the retry goes to " + Arrays.toString(partitions) +
                "; a retry must repeat the same transaction");
        }
        unknown.remove(requestId);
        unknownIds.remove(requestId);
        inFlight.put(requestId, partitions);
        return new Ticket(requestId, watermark(), true);
    }

    /**
     * The attempt ended with a definite outcome (or failed without being sent, for a new id).
     *
     * @param requestId the id.
     */
    synchronized void settle(final long requestId)
    {
        inFlight.remove(requestId);
    }

    /**
     * The attempt ended without an outcome; the id becomes retryable.
     *
     * @param requestId the id.
     * @param nowNs     the current time.
     */
    synchronized void unknown(final long requestId, final long nowNs)
    {
        final int[] partitions = inFlight.remove(requestId);
        if (partitions != null)
        {
            unknown.put(requestId, new UnknownEntry(partitions, nowNs + unknownRetentionNs));
            unknownIds.add(requestId);
        }
        expire(nowNs);
    }

    /**
     * The attempt was abandoned before it was handed to RamCast: a new id is settled (nothing of
     * it exists anywhere), a retried id is unknown again (an earlier attempt may have executed).
     *
     * @param ticket the attempt.
     * @param nowNs  the current time.
     */
    synchronized void abandon(final Ticket ticket, final long nowNs)
    {
        if (ticket.retry())
        {
            unknown(ticket.requestId(), nowNs);
        }
        else
        {
            settle(ticket.requestId());
        }
    }

    /**
     * @param nowNs the current time.
     * @return the current watermark: every id below it is settled.
     */
    synchronized long settledBelow(final long nowNs)
    {
        expire(nowNs);
        return watermark();
    }

    /** @return ids in flight. */
    synchronized int inFlightCount()
    {
        return inFlight.size();
    }

    /** @return ids unknown and still retryable (as of the last call that took the time). */
    synchronized int unknownCount()
    {
        return unknown.size();
    }

    private long watermark()
    {
        long w = nextId;
        if (!inFlight.isEmpty())
        {
            w = Math.min(w, inFlight.firstKey());
        }
        if (!unknownIds.isEmpty())
        {
            w = Math.min(w, unknownIds.first());
        }
        return w;
    }

    private void expire(final long nowNs)
    {
        final var it = unknown.entrySet().iterator();
        while (it.hasNext())
        {
            final Map.Entry<Long, UnknownEntry> head = it.next();
            if (unknown.size() <= unknownCapacity && head.getValue().expiresAtNs() - nowNs > 0)
            {
                return;
            }
            it.remove();
            unknownIds.remove(head.getKey());
        }
    }
}
