package io.ramcast.check.multicast;

import io.ramcast.check.HistoryFormatException;

import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.Long2LongHashMap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What happened in one run, as far as atomic multicast is concerned: for every server process the
 * sequence of its deliveries (message id and destination groups, in delivery order), for every
 * client the multicasts it issued, and the topology (group membership and crashed processes).
 *
 * <p>Obtain one with {@link #load(Path)} from a directory of logs, or with {@link #builder()} from
 * a test or a simulation. Check it with {@link MulticastChecker}.
 *
 * <p>A history records what processes said they did, including anything the checker will call an
 * anomaly (a duplicate delivery, a delivery to a non-destination, a message nobody multicast).
 * Only contradictions that make the history meaningless are rejected when it is built or loaded: a
 * delivering process that belongs to no group, a destination naming an undeclared group, one
 * message id multicast twice with different destinations or by different clients.
 *
 * <p>Immutable and thread-safe once built.
 */
public final class MulticastHistory
{
    /**
     * One line of a log: a message and the destination groups it was delivered or multicast with.
     *
     * @param id                the message.
     * @param destinationGroups the destination group ids, ascending, immutable.
     */
    public record Entry(MessageId id, List<Integer> destinationGroups)
    {
        /** {@inheritDoc} */
        @Override
        public String toString()
        {
            return id + " " + formatGroups(destinationGroups);
        }
    }

    static final int NULL_INDEX = -1;

    /** Message index to id. */
    final MessageId[] messages;
    /** Interned destination sets: sorted group ids. */
    final int[][] dstSets;
    /** Interned destination sets: bit per dense group index (position in {@link #groupIds}). */
    final long[][] dstGroupBits;
    /** Per message: destination set index it was multicast with, or {@link #NULL_INDEX}. */
    final int[] multicastDst;
    /** Per message: process id of the client that multicast it, or {@link #NULL_INDEX}. */
    final int[] multicastClient;

    /** Declared group ids, ascending; a group's dense index is its position here. */
    final int[] groupIds;
    /** Per dense group: member process ids, ascending. */
    final int[][] groupMembers;

    /** Server process ids (every group member), ascending; a server's index is its position here. */
    final int[] serverIds;
    /** Per server index: dense group index. */
    final int[] serverGroup;
    /** Per server index: whether it is declared crashed. */
    final boolean[] serverCrashed;
    /** Per server index: delivered message indices, in delivery order. */
    final int[][] deliveredMessages;
    /** Per server index: destination set index of each delivery. */
    final int[][] deliveredDst;

    /** Client process ids, ascending. */
    final int[] clientIds;
    /** Per client index: multicast message indices, in log order. */
    final int[][] clientMessages;

    private final TreeSet<Integer> crashed;
    private final long deliveryCount;
    private final long multicastCount;
    private final int ignoredTruncatedLines;

    private MulticastHistory(final Builder b)
    {
        messages = b.messages.toArray(new MessageId[0]);
        dstSets = b.dstSets.toArray(new int[0][]);
        multicastDst = b.multicastDst.toIntArray();
        multicastClient = b.multicastClient.toIntArray();

        groupIds = b.groups.keySet().stream().mapToInt(Integer::intValue).toArray();
        groupMembers = new int[groupIds.length][];
        final Map<Integer, Integer> denseGroup = new HashMap<>();
        for (int g = 0; g < groupIds.length; g++)
        {
            groupMembers[g] = b.groups.get(groupIds[g]);
            denseGroup.put(groupIds[g], g);
        }
        dstGroupBits = new long[dstSets.length][];
        for (int s = 0; s < dstSets.length; s++)
        {
            final long[] bits = new long[(groupIds.length + 63) >>> 6];
            for (final int gid : dstSets[s])
            {
                final int g = denseGroup.get(gid);
                bits[g >>> 6] |= 1L << (g & 63);
            }
            dstGroupBits[s] = bits;
        }

        serverIds = b.groupOfProcess.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        serverGroup = new int[serverIds.length];
        serverCrashed = new boolean[serverIds.length];
        deliveredMessages = new int[serverIds.length][];
        deliveredDst = new int[serverIds.length][];
        long deliveries = 0;
        for (int s = 0; s < serverIds.length; s++)
        {
            final int pid = serverIds[s];
            serverGroup[s] = denseGroup.get(b.groupOfProcess.get(pid));
            serverCrashed[s] = b.crashed.contains(pid);
            final ProcessLog log = b.deliveries.get(pid);
            deliveredMessages[s] = log == null ? new int[0] : log.messages.toIntArray();
            deliveredDst[s] = log == null ? new int[0] : log.dsts.toIntArray();
            deliveries += deliveredMessages[s].length;
        }
        deliveryCount = deliveries;

        final TreeMap<Integer, IntArrayList> clients = new TreeMap<>();
        b.multicasts.forEach(clients::put);
        clientIds = clients.keySet().stream().mapToInt(Integer::intValue).toArray();
        clientMessages = new int[clientIds.length][];
        long sent = 0;
        for (int c = 0; c < clientIds.length; c++)
        {
            clientMessages[c] = clients.get(clientIds[c]).toIntArray();
            sent += clientMessages[c].length;
        }
        multicastCount = sent;
        crashed = new TreeSet<>(b.crashed);
        ignoredTruncatedLines = b.ignoredTruncatedLines;
    }

    /** @return a builder for an empty history. */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * Loads the history written into a directory by {@code DeliveryLogWriter}s.
     *
     * <p>Directory layout:
     * <pre>
     *   DIR/topology.txt   required; group membership and crashed processes
     *   DIR/&lt;pid&gt;.log      deliveries of server process pid, one line per delivery, in order
     *   DIR/&lt;pid&gt;.sent     multicasts issued by client process pid, one line per multicast
     * </pre>
     * Log line: {@code <senderId>:<seq> <g1,g2,...>} terminated by {@code '\n'}; decimal numbers
     * without sign; destination group ids strictly ascending, comma separated, at least one; exactly
     * one space; optionally {@code " @<micros>"}, the delivery's wall-clock time (ignored here, see
     * {@link DeliveryLogTimes}); nothing else on the line (no blank lines, comments or {@code '\r'}).
     *
     * <p>topology.txt, one entry a line; blank lines and lines starting with {@code #} are
     * ignored, tokens are separated by whitespace:
     * <pre>
     *   group &lt;gid&gt; &lt;pid&gt;,&lt;pid&gt;,...    the members of a group; each process in one group
     *   crashed &lt;pid&gt;                  a process (server or client) that crashed during the run
     * </pre>
     * A group member without a {@code .log} file delivered nothing. Files whose names are not of
     * the forms above are ignored.
     *
     * <p>Truncated final line: a process killed in the middle of writing leaves a last line with
     * no {@code '\n'}. Such a line is ignored, whether or not it parses, because a prefix of a
     * valid line can itself look valid ({@code 7:12 0} cut from {@code 7:123 0,2}); it is counted
     * in {@link #ignoredTruncatedLines()}. Every other line must be well formed.
     *
     * <p>Blocking (reads every file); uses memory proportional to the number of deliveries.
     *
     * @param dir the history directory.
     * @return the history.
     * @throws HistoryFormatException naming the file and line if a file breaks the format, or the
     *                                files contradict the topology or each other.
     * @throws IOException            if a file cannot be read.
     */
    public static MulticastHistory load(final Path dir) throws IOException
    {
        return new Loader(dir).load();
    }

    /** @return the number of distinct message ids that were multicast or delivered. */
    public int messageCount()
    {
        return messages.length;
    }

    /** @return the number of deliveries over all server processes, duplicates included. */
    public long deliveryCount()
    {
        return deliveryCount;
    }

    /** @return the number of multicasts over all clients. */
    public long multicastCount()
    {
        return multicastCount;
    }

    /** @return declared group ids, ascending. */
    public List<Integer> groupIds()
    {
        return boxed(groupIds);
    }

    /**
     * @param groupId a declared group id.
     * @return its member process ids, ascending.
     * @throws IllegalArgumentException if the group is not declared.
     */
    public List<Integer> members(final int groupId)
    {
        final int g = Arrays.binarySearch(groupIds, groupId);
        if (g < 0)
        {
            throw new IllegalArgumentException("group " + groupId + " is not declared");
        }
        return boxed(groupMembers[g]);
    }

    /** @return server process ids (the members of all groups), ascending. */
    public List<Integer> serverIds()
    {
        return boxed(serverIds);
    }

    /** @return ids of the clients that multicast at least one message, ascending. */
    public List<Integer> clientIds()
    {
        return boxed(clientIds);
    }

    /** @return ids of the processes declared crashed, ascending. */
    public List<Integer> crashedIds()
    {
        return List.copyOf(crashed);
    }

    /**
     * @param processId a process id.
     * @return whether it is declared crashed.
     */
    public boolean isCrashed(final int processId)
    {
        return crashed.contains(processId);
    }

    /**
     * @param serverId a server process id.
     * @return its deliveries in delivery order (a copy; O(deliveries) to build).
     * @throws IllegalArgumentException if the process is not a group member.
     */
    public List<Entry> deliveries(final int serverId)
    {
        final int s = Arrays.binarySearch(serverIds, serverId);
        if (s < 0)
        {
            throw new IllegalArgumentException("process " + serverId + " is not a member of any group");
        }
        final List<Entry> entries = new ArrayList<>(deliveredMessages[s].length);
        for (int i = 0; i < deliveredMessages[s].length; i++)
        {
            entries.add(new Entry(messages[deliveredMessages[s][i]], boxed(dstSets[deliveredDst[s][i]])));
        }
        return Collections.unmodifiableList(entries);
    }

    /**
     * @param clientId a client process id.
     * @return the multicasts it issued in log order (a copy), empty if it issued none.
     */
    public List<Entry> multicasts(final int clientId)
    {
        final int c = Arrays.binarySearch(clientIds, clientId);
        if (c < 0)
        {
            return List.of();
        }
        final List<Entry> entries = new ArrayList<>(clientMessages[c].length);
        for (final int m : clientMessages[c])
        {
            entries.add(new Entry(messages[m], boxed(dstSets[multicastDst[m]])));
        }
        return Collections.unmodifiableList(entries);
    }

    /** @return the number of truncated final lines {@link #load(Path)} ignored; 0 for built histories. */
    public int ignoredTruncatedLines()
    {
        return ignoredTruncatedLines;
    }

    /** @return the number of servers declared crashed. */
    int crashedServerCount()
    {
        int n = 0;
        for (final boolean c : serverCrashed)
        {
            n += c ? 1 : 0;
        }
        return n;
    }

    /** @return whether destination set dst contains the group with dense index g. */
    boolean dstContains(final int dst, final int g)
    {
        return (dstGroupBits[dst][g >>> 6] & (1L << (g & 63))) != 0;
    }

    static String formatGroups(final List<Integer> groups)
    {
        final StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < groups.size(); i++)
        {
            sb.append(i == 0 ? "" : ",").append(groups.get(i));
        }
        return sb.append('}').toString();
    }

    String formatDst(final int dst)
    {
        return formatGroups(boxed(dstSets[dst]));
    }

    private static List<Integer> boxed(final int[] values)
    {
        return Arrays.stream(values).boxed().toList();
    }

    /**
     * Collects a history event by event, for tests and simulations (and for {@link #load}).
     *
     * <p>Events may be recorded in any order across processes; for one server process, deliveries
     * must be recorded in delivery order. Topology may be declared before or after the events.
     * Arguments are checked when recorded ({@link IllegalArgumentException}); rules that need the
     * whole history are checked by {@link #build()} ({@link IllegalStateException}).
     *
     * <p>Not thread-safe. A builder can build several histories; each is a snapshot.
     */
    public static final class Builder
    {
        private final Int2ObjectHashMap<Long2LongHashMap> messageIndex = new Int2ObjectHashMap<>();
        private final ArrayList<MessageId> messages = new ArrayList<>();
        private final HashMap<DstKey, Integer> dstIndex = new HashMap<>();
        private final ArrayList<int[]> dstSets = new ArrayList<>();
        private final DstKey probe = new DstKey();
        private final IntArrayList multicastDst = new IntArrayList();
        private final IntArrayList multicastClient = new IntArrayList();
        private final TreeMap<Integer, int[]> groups = new TreeMap<>();
        private final HashMap<Integer, Integer> groupOfProcess = new HashMap<>();
        private final TreeSet<Integer> crashed = new TreeSet<>();
        private final Int2ObjectHashMap<ProcessLog> deliveries = new Int2ObjectHashMap<>();
        private final Int2ObjectHashMap<IntArrayList> multicasts = new Int2ObjectHashMap<>();
        private int ignoredTruncatedLines;

        private Builder()
        {
        }

        /**
         * Declares a group and its members.
         *
         * @param groupId   the group id, non-negative, not declared before.
         * @param processIds its members, non-negative, at least one, none already in a group.
         * @return this builder.
         * @throws IllegalArgumentException if a rule is broken.
         */
        public Builder group(final int groupId, final int... processIds)
        {
            if (groupId < 0)
            {
                throw new IllegalArgumentException("group id " + groupId + " must be >= 0");
            }
            if (groups.containsKey(groupId))
            {
                throw new IllegalArgumentException("group " + groupId + " is declared twice");
            }
            if (processIds.length == 0)
            {
                throw new IllegalArgumentException("group " + groupId + " has no members");
            }
            final int[] members = processIds.clone();
            Arrays.sort(members);
            for (int i = 0; i < members.length; i++)
            {
                final int pid = members[i];
                checkProcessId(pid);
                if (i > 0 && members[i - 1] == pid)
                {
                    throw new IllegalArgumentException("process " + pid + " is listed twice in group " + groupId);
                }
                final Integer other = groupOfProcess.get(pid);
                if (other != null)
                {
                    throw new IllegalArgumentException("process " + pid + " is listed in group " + other +
                        " and in group " + groupId + "; a process belongs to one group");
                }
            }
            for (final int pid : members)
            {
                groupOfProcess.put(pid, groupId);
            }
            groups.put(groupId, members);
            return this;
        }

        /**
         * Declares a process (server or client) crashed: it is exempt from agreement and validity,
         * but its deliveries still bind the order (uniform properties). Idempotent.
         *
         * @param processId the process id, non-negative.
         * @return this builder.
         * @throws IllegalArgumentException if the id is negative.
         */
        public Builder crashed(final int processId)
        {
            crashed.add(checkProcessId(processId));
            return this;
        }

        /**
         * Records that a server process delivered a message; call in the process's delivery order.
         *
         * @param processId the delivering server, non-negative.
         * @param id        the message.
         * @param dstGroups the destination groups the delivered message carried, non-negative,
         *                  distinct, at least one, any order.
         * @return this builder.
         * @throws IllegalArgumentException if a rule is broken.
         */
        public Builder recordDelivery(final int processId, final MessageId id, final int... dstGroups)
        {
            checkProcessId(processId);
            final int[] dst = sortedDestination(id, dstGroups);
            recordDelivery(processId, id.senderId(), id.seq(), dst, dst.length);
            return this;
        }

        /**
         * Records that a client multicast a message. Recording the same multicast again (same
         * client, same destination) has no effect.
         *
         * @param clientId  the multicasting client, non-negative.
         * @param id        the message.
         * @param dstGroups the destination groups, non-negative, distinct, at least one, any order.
         * @return this builder.
         * @throws IllegalArgumentException if a rule is broken, or the message was already
         *                                  recorded as multicast by another client or to other groups.
         */
        public Builder recordMulticast(final int clientId, final MessageId id, final int... dstGroups)
        {
            checkProcessId(clientId);
            final int[] dst = sortedDestination(id, dstGroups);
            recordMulticast(clientId, id.senderId(), id.seq(), dst, dst.length);
            return this;
        }

        /**
         * Validates the whole history and builds it.
         *
         * @return an immutable snapshot of what was recorded.
         * @throws IllegalStateException naming the process or message if a process that delivered
         *                               belongs to no group, or a destination names an undeclared group.
         */
        public MulticastHistory build()
        {
            for (final int pid : deliveries.keySet())
            {
                if (!groupOfProcess.containsKey(pid))
                {
                    throw new IllegalStateException("process " + pid + " delivered messages but is not a member of " +
                        "any declared group");
                }
            }
            for (int s = 0; s < dstSets.size(); s++)
            {
                for (final int gid : dstSets.get(s))
                {
                    if (!groups.containsKey(gid))
                    {
                        throw new IllegalStateException("destination " + formatGroups(boxed(dstSets.get(s))) +
                            " of message " + messageUsing(s) + " names group " + gid + ", which is not declared");
                    }
                }
            }
            return new MulticastHistory(this);
        }

        boolean isGroupDeclared(final int groupId)
        {
            return groups.containsKey(groupId);
        }

        boolean isServer(final int processId)
        {
            return groupOfProcess.containsKey(processId);
        }

        void ignoredTruncatedLine()
        {
            ignoredTruncatedLines++;
        }

        /** dst[0..dstCount) must be non-negative and strictly ascending. */
        void recordDelivery(final int processId, final int senderId, final long seq, final int[] dst, final int dstCount)
        {
            ProcessLog log = deliveries.get(processId);
            if (log == null)
            {
                log = new ProcessLog();
                deliveries.put(processId, log);
            }
            log.messages.addInt(messageIndex(senderId, seq));
            log.dsts.addInt(dstIndex(dst, dstCount));
        }

        /** dst[0..dstCount) must be non-negative and strictly ascending. */
        void recordMulticast(final int clientId, final int senderId, final long seq, final int[] dst, final int dstCount)
        {
            final int m = messageIndex(senderId, seq);
            final int d = dstIndex(dst, dstCount);
            final int previousDst = multicastDst.getInt(m);
            if (previousDst != NULL_INDEX)
            {
                final int previousClient = multicastClient.getInt(m);
                if (previousClient == clientId && previousDst == d)
                {
                    return;
                }
                throw new IllegalArgumentException("message " + messages.get(m) + " multicast by client " + clientId +
                    " to " + formatGroups(boxed(dstSets.get(d))) + " was already multicast by client " +
                    previousClient + " to " + formatGroups(boxed(dstSets.get(previousDst))) +
                    "; message ids must be unique");
            }
            multicastDst.setInt(m, d);
            multicastClient.setInt(m, clientId);
            IntArrayList sent = multicasts.get(clientId);
            if (sent == null)
            {
                sent = new IntArrayList();
                multicasts.put(clientId, sent);
            }
            sent.addInt(m);
        }

        private int messageIndex(final int senderId, final long seq)
        {
            Long2LongHashMap bySeq = messageIndex.get(senderId);
            if (bySeq == null)
            {
                bySeq = new Long2LongHashMap(NULL_INDEX);
                messageIndex.put(senderId, bySeq);
            }
            long m = bySeq.get(seq);
            if (m == NULL_INDEX)
            {
                m = messages.size();
                messages.add(new MessageId(senderId, seq));
                multicastDst.addInt(NULL_INDEX);
                multicastClient.addInt(NULL_INDEX);
                bySeq.put(seq, m);
            }
            return (int)m;
        }

        private int dstIndex(final int[] dst, final int dstCount)
        {
            probe.set(dst, dstCount);
            Integer d = dstIndex.get(probe);
            if (d == null)
            {
                final int[] copy = Arrays.copyOf(dst, dstCount);
                d = dstSets.size();
                dstSets.add(copy);
                dstIndex.put(new DstKey().set(copy, copy.length), d);
            }
            return d;
        }

        private String messageUsing(final int dst)
        {
            for (int m = 0; m < multicastDst.size(); m++)
            {
                if (multicastDst.getInt(m) == dst)
                {
                    return messages.get(m) + " (multicast by client " + multicastClient.getInt(m) + ")";
                }
            }
            for (final Map.Entry<Integer, ProcessLog> e : new TreeMap<>(deliveries).entrySet())
            {
                final IntArrayList dsts = e.getValue().dsts;
                for (int i = 0; i < dsts.size(); i++)
                {
                    if (dsts.getInt(i) == dst)
                    {
                        return messages.get(e.getValue().messages.getInt(i)) + " (delivered by process " +
                            e.getKey() + ")";
                    }
                }
            }
            return "?";
        }

        private static int[] sortedDestination(final MessageId id, final int[] dstGroups)
        {
            if (dstGroups.length == 0)
            {
                throw new IllegalArgumentException("message " + id + " has no destination group");
            }
            final int[] dst = dstGroups.clone();
            Arrays.sort(dst);
            for (int i = 0; i < dst.length; i++)
            {
                if (dst[i] < 0 || (i > 0 && dst[i] == dst[i - 1]))
                {
                    throw new IllegalArgumentException("message " + id + ": destination groups must be non-negative " +
                        "and distinct, got " + Arrays.toString(dstGroups));
                }
            }
            return dst;
        }

        private static int checkProcessId(final int processId)
        {
            if (processId < 0)
            {
                throw new IllegalArgumentException("process id " + processId + " must be >= 0");
            }
            return processId;
        }
    }

    private static final class ProcessLog
    {
        final IntArrayList messages = new IntArrayList();
        final IntArrayList dsts = new IntArrayList();
    }

    /** A destination set as a hash key; mutable so that lookups need not allocate. */
    private static final class DstKey
    {
        private int[] groups;
        private int length;
        private int hash;

        DstKey set(final int[] groups, final int length)
        {
            this.groups = groups;
            this.length = length;
            int h = 1;
            for (int i = 0; i < length; i++)
            {
                h = 31 * h + groups[i];
            }
            hash = h;
            return this;
        }

        @Override
        public boolean equals(final Object o)
        {
            return o instanceof DstKey other && other.hash == hash &&
                Arrays.equals(groups, 0, length, other.groups, 0, other.length);
        }

        @Override
        public int hashCode()
        {
            return hash;
        }
    }

    /** Reads a history directory; see {@link MulticastHistory#load(Path)}. Single use. */
    private static final class Loader
    {
        private static final Pattern LOG_NAME = Pattern.compile("([0-9]+)(\\.log|\\.sent)");

        private final Path dir;
        private final Builder builder = new Builder();
        private final DeliveryLogFormat.LineParser parser = new DeliveryLogFormat.LineParser();

        Loader(final Path dir)
        {
            this.dir = dir;
        }

        MulticastHistory load() throws IOException
        {
            if (!Files.isDirectory(dir))
            {
                throw new HistoryFormatException(dir, HistoryFormatException.NO_LINE, "is not a directory");
            }
            final Path topology = dir.resolve(DeliveryLogFormat.TOPOLOGY_FILE);
            if (!Files.isRegularFile(topology))
            {
                throw new HistoryFormatException(topology, HistoryFormatException.NO_LINE,
                    "is missing; the checker needs the group membership");
            }
            loadTopology(topology);

            final TreeMap<Integer, Path> deliveryLogs = new TreeMap<>();
            final TreeMap<Integer, Path> multicastLogs = new TreeMap<>();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir))
            {
                for (final Path file : files)
                {
                    final Matcher name = LOG_NAME.matcher(file.getFileName().toString());
                    if (name.matches() && Files.isRegularFile(file))
                    {
                        final int pid = parseId(name.group(1), file, HistoryFormatException.NO_LINE, "process id");
                        (name.group(2).equals(DeliveryLogFormat.DELIVERY_SUFFIX) ? deliveryLogs : multicastLogs)
                            .put(pid, file);
                    }
                }
            }
            for (final Map.Entry<Integer, Path> e : deliveryLogs.entrySet())
            {
                final int pid = e.getKey();
                if (!builder.isServer(pid))
                {
                    throw new HistoryFormatException(e.getValue(), HistoryFormatException.NO_LINE,
                        "process " + pid + " is not a member of any group in " + DeliveryLogFormat.TOPOLOGY_FILE);
                }
                readLog(e.getValue(), (lineNumber) ->
                    builder.recordDelivery(pid, parser.senderId, parser.seq, parser.dst, parser.dstCount));
            }
            for (final Map.Entry<Integer, Path> e : multicastLogs.entrySet())
            {
                final int pid = e.getKey();
                readLog(e.getValue(), (lineNumber) ->
                    builder.recordMulticast(pid, parser.senderId, parser.seq, parser.dst, parser.dstCount));
            }
            try
            {
                return builder.build();
            }
            catch (final IllegalStateException ex)
            {
                throw new HistoryFormatException(dir, HistoryFormatException.NO_LINE, ex.getMessage(), ex);
            }
        }

        private void loadTopology(final Path file) throws IOException
        {
            final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++)
            {
                final long lineNumber = i + 1;
                final String line = lines.get(i).strip();
                if (line.isEmpty() || line.startsWith("#"))
                {
                    continue;
                }
                final String[] tokens = line.split("\\s+");
                try
                {
                    if (tokens[0].equals(DeliveryLogFormat.GROUP_KEYWORD) && tokens.length == 3)
                    {
                        final int gid = parseId(tokens[1], file, lineNumber, "group id");
                        final String[] pids = tokens[2].split(",", -1);
                        final int[] members = new int[pids.length];
                        for (int p = 0; p < pids.length; p++)
                        {
                            members[p] = parseId(pids[p], file, lineNumber, "process id");
                        }
                        builder.group(gid, members);
                    }
                    else if (tokens[0].equals(DeliveryLogFormat.CRASHED_KEYWORD) && tokens.length == 2)
                    {
                        builder.crashed(parseId(tokens[1], file, lineNumber, "process id"));
                    }
                    else
                    {
                        throw new HistoryFormatException(file, lineNumber, "expected 'group <gid> <pid>,<pid>,...' " +
                            "or 'crashed <pid>', got '" + line + "'");
                    }
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new HistoryFormatException(file, lineNumber, ex.getMessage(), ex);
                }
            }
            if (builder.groups.isEmpty())
            {
                throw new HistoryFormatException(file, HistoryFormatException.NO_LINE, "declares no group");
            }
        }

        private interface LineHandler
        {
            void onLine(long lineNumber);
        }

        private void readLog(final Path file, final LineHandler handler) throws IOException
        {
            if (DeliveryLogFormat.readLines(file, (lineNumber, line, length) -> onLine(file, lineNumber, line, length, handler)))
            {
                builder.ignoredTruncatedLine();
            }
        }

        private void onLine(
            final Path file, final long lineNumber, final byte[] line, final int length, final LineHandler handler)
            throws HistoryFormatException
        {
            final String problem = parser.parse(line, length);
            if (problem != null)
            {
                throw new HistoryFormatException(file, lineNumber, problem);
            }
            for (int g = 0; g < parser.dstCount; g++)
            {
                if (!builder.isGroupDeclared(parser.dst[g]))
                {
                    throw new HistoryFormatException(file, lineNumber, "destination group " + parser.dst[g] +
                        " is not declared in " + DeliveryLogFormat.TOPOLOGY_FILE);
                }
            }
            try
            {
                handler.onLine(lineNumber);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new HistoryFormatException(file, lineNumber, ex.getMessage(), ex);
            }
        }

        private static int parseId(final String text, final Path file, final long lineNumber, final String what)
            throws HistoryFormatException
        {
            if (text.isEmpty() || !text.chars().allMatch((c) -> c >= '0' && c <= '9'))
            {
                throw new HistoryFormatException(file, lineNumber, what + " '" + text + "' is not a decimal number");
            }
            try
            {
                return Integer.parseInt(text);
            }
            catch (final NumberFormatException ex)
            {
                throw new HistoryFormatException(file, lineNumber, what + " '" + text + "' is out of range", ex);
            }
        }
    }
}
