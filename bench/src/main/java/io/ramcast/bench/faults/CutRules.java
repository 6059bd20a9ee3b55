package io.ramcast.bench.faults;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The iptables rules of one link cutter, as argument lists: which connections get which mark bit,
 * and what a set of cut links drops. A plain object: it runs nothing, so it is tested without
 * root.
 *
 * <p>Each endpoint (a replica id, or {@link LinkCutter#CLIENTS}) owns one bit of the 32-bit
 * conntrack mark: replicas in ascending id order take bits 0, 1, ..., the clients the next one.
 * A connection's mark is shared by both of its directions, so once each side has sent a packet
 * it carries both sides' bits, whichever side connected and from whichever ephemeral port:
 * <pre>
 *   connection replica 0 (uid U0, bit 0x1) -- replica 2 (uid U2, bit 0x4)
 *     packet sent by a U0 socket: mark |= 0x1        packet sent by a U2 socket: mark |= 0x4
 *     cut 0 <-> 2 both ways:  drop  mark & 0x5 == 0x5                        (any sender)
 *     cut only 0 -> 2:        drop  mark & 0x5 == 0x5 and sender uid == U0
 * </pre>
 * Marking matches packets on loopback whose source or destination port is in the cluster's port
 * range for replicas; for clients only those whose destination port is in the range (clients do
 * not listen; the range holds the replicas' listening ports), so a client uid shared with other
 * software, even root, marks only connections to the cluster. Drop rules are restricted to the
 * same port range, so they never touch another cluster's connections even if it reuses bits.
 *
 * <p>Threading: immutable.
 */
final class CutRules
{
    /** Most endpoints one cutter handles: one mark bit each. */
    static final int MAX_ENDPOINTS = 32;

    private final int portLo;
    private final int portHi;
    /** Endpoint id to its uid, ascending ids, {@link LinkCutter#CLIENTS} first. */
    private final Map<Integer, Integer> uidByEndpoint;
    private final Map<Integer, Integer> bitByEndpoint = new TreeMap<>();

    /**
     * @param portLo          lowest port of the cluster (inclusive).
     * @param portHi          highest port of the cluster (inclusive).
     * @param replicaUidById  each replica id and the uid its process runs under.
     * @param clientUid       the uid the clients run under.
     * @throws IllegalArgumentException if the range is not within 1..65535 or reversed, a replica
     *                                  id is negative, two endpoints share a uid, a replica runs
     *                                  as root, or there are more than {@link #MAX_ENDPOINTS}
     *                                  endpoints.
     */
    CutRules(final int portLo, final int portHi, final Map<Integer, Integer> replicaUidById, final int clientUid)
    {
        if (portLo < 1 || portHi > 65_535 || portLo > portHi)
        {
            throw new IllegalArgumentException("port range " + portLo + ":" + portHi + " must be within 1:65535, low first");
        }
        if (replicaUidById.isEmpty() || replicaUidById.size() + 1 > MAX_ENDPOINTS)
        {
            throw new IllegalArgumentException("replicas: " + replicaUidById.size() + "; one to " +
                (MAX_ENDPOINTS - 1) + " (one mark bit each, plus one for the clients)");
        }
        this.portLo = portLo;
        this.portHi = portHi;
        final Map<Integer, Integer> uids = new TreeMap<>();
        uids.put(LinkCutter.CLIENTS, clientUid);
        final Set<Integer> seenUids = new LinkedHashSet<>();
        seenUids.add(clientUid);
        if (clientUid < 0)
        {
            throw new IllegalArgumentException("client uid " + clientUid + " must not be negative");
        }
        for (final Map.Entry<Integer, Integer> e : new TreeMap<>(replicaUidById).entrySet())
        {
            if (e.getKey() < 0)
            {
                throw new IllegalArgumentException("replica id " + e.getKey() + " must not be negative");
            }
            if (e.getValue() <= 0)
            {
                throw new IllegalArgumentException("replica " + e.getKey() + " uid " + e.getValue() +
                    " must be positive (a replica must not run as root: its sockets would look like root's)");
            }
            if (!seenUids.add(e.getValue()))
            {
                throw new IllegalArgumentException("replica " + e.getKey() + " uid " + e.getValue() +
                    " is also another endpoint's uid; every replica and the clients need a uid of their own");
            }
            uids.put(e.getKey(), e.getValue());
        }
        this.uidByEndpoint = uids;
        int bit = 0;
        for (final int replica : replicaUidById.keySet().stream().sorted().toList())
        {
            bitByEndpoint.put(replica, 1 << bit++);
        }
        bitByEndpoint.put(LinkCutter.CLIENTS, 1 << bit);
    }

    /** A directed link: what {@code from} sends to {@code to} is dropped. */
    record Link(int from, int to)
    {
    }

    /** @return every endpoint: the replica ids and {@link LinkCutter#CLIENTS}. */
    Set<Integer> endpoints()
    {
        return bitByEndpoint.keySet();
    }

    /**
     * @param endpoint a replica id or {@link LinkCutter#CLIENTS}.
     * @return its mark bit.
     * @throws IllegalArgumentException if it is not an endpoint of this cutter.
     */
    int markBit(final int endpoint)
    {
        final Integer bit = bitByEndpoint.get(endpoint);
        if (bit == null)
        {
            throw new IllegalArgumentException("endpoint " + endpoint + " is not a replica of this cutter " +
                "(replicas " + uidByEndpoint.keySet().stream().filter(id -> id != LinkCutter.CLIENTS).toList() +
                ", clients " + LinkCutter.CLIENTS + ")");
        }
        return bit;
    }

    /**
     * @return the marking rules, one per endpoint (arguments after {@code -A <chain>}), to be
     *         installed before any drop rule.
     */
    List<List<String>> markRules()
    {
        final List<List<String>> rules = new ArrayList<>();
        for (final int endpoint : bitByEndpoint.keySet())
        {
            final List<String> rule = new ArrayList<>(List.of("-o", "lo", "-p", "tcp", "-m", "multiport"));
            rule.add(endpoint == LinkCutter.CLIENTS ? "--dports" : "--ports");
            rule.add(portSpec());
            rule.addAll(List.of("-m", "owner", "--uid-owner", Integer.toString(uidByEndpoint.get(endpoint)),
                "-j", "CONNMARK", "--set-xmark", hex(bitByEndpoint.get(endpoint)) + "/" + hex(bitByEndpoint.get(endpoint))));
            rules.add(List.copyOf(rule));
        }
        return rules;
    }

    /**
     * @param cut the directed links to drop.
     * @return the drop rules (arguments after {@code -A <chain>}): one per pair of endpoints, with
     *         no sender match when both directions are cut (kernel-sent packets such as resets are
     *         dropped too), with the sender's uid when only one direction is.
     * @throws IllegalArgumentException if a link names an unknown endpoint or links an endpoint
     *                                  to itself.
     */
    Set<List<String>> dropRules(final Collection<Link> cut)
    {
        final Set<List<String>> rules = new LinkedHashSet<>();
        for (final Link link : cut)
        {
            if (link.from() == link.to())
            {
                throw new IllegalArgumentException("a link needs two endpoints: " + link);
            }
            final int pairMask = markBit(link.from()) | markBit(link.to());
            final List<String> rule = new ArrayList<>(List.of("-o", "lo", "-p", "tcp", "-m", "multiport", "--ports",
                portSpec(), "-m", "connmark", "--mark", hex(pairMask) + "/" + hex(pairMask)));
            if (!cut.contains(new Link(link.to(), link.from())))
            {
                rule.addAll(List.of("-m", "owner", "--uid-owner", Integer.toString(uidByEndpoint.get(link.from()))));
            }
            rule.addAll(List.of("-j", "DROP"));
            rules.add(List.copyOf(rule));
        }
        return rules;
    }

    private String portSpec()
    {
        return portLo == portHi ? Integer.toString(portLo) : portLo + ":" + portHi;
    }

    private static String hex(final int value)
    {
        return "0x" + Integer.toHexString(value);
    }
}
