package io.ramcast.multicast;

import java.util.Arrays;

/**
 * Who is who in a RamCast deployment: the server groups with their members, and the clients.
 *
 * <p>Groups are numbered densely {@code 0..groupCount()-1}; each has an odd number of members
 * (2f+1) so that a majority survives f crashes. Process ids are distinct, non-negative and below
 * {@link #MAX_PROCESS_ID} (they are packed into 64-bit message ids, see {@link MessageIds}). The
 * first member listed for a group is its initial leader (ballot round 1).
 *
 * <p>Immutable and thread-safe.
 */
public final class GroupTopology
{
    /** Exclusive upper bound of process ids: 16 bits in a message id. */
    public static final int MAX_PROCESS_ID = 1 << 16;

    private final int[][] members;
    private final int[] clients;
    private final int[] servers;
    private final int[] groupOfProcess;
    private final int[] memberIndexOfProcess;
    private final int[] serverOrdinalOfProcess;
    private final int[] clientOrdinalOfProcess;
    private final int maxGroupSize;

    /**
     * @param members members[g] lists the process ids of group g; the first is its initial leader.
     * @param clients process ids of the clients allowed to multicast.
     * @throws IllegalArgumentException naming the problem if the topology is not valid.
     */
    public GroupTopology(final int[][] members, final int[] clients)
    {
        if (members.length == 0)
        {
            throw new IllegalArgumentException("topology needs at least one group");
        }
        if (clients.length == 0)
        {
            throw new IllegalArgumentException("topology needs at least one client");
        }
        this.members = new int[members.length][];
        this.clients = clients.clone();
        int maxId = -1;
        int serverCount = 0;
        int maxSize = 0;
        for (int g = 0; g < members.length; g++)
        {
            final int[] m = members[g];
            if (m.length == 0 || m.length % 2 == 0)
            {
                throw new IllegalArgumentException(
                    "group " + g + " has " + m.length + " members; a group needs an odd number (2f+1) of members");
            }
            this.members[g] = m.clone();
            serverCount += m.length;
            maxSize = Math.max(maxSize, m.length);
            for (final int p : m)
            {
                maxId = Math.max(maxId, checkId(p));
            }
        }
        for (final int c : clients)
        {
            maxId = Math.max(maxId, checkId(c));
        }
        this.maxGroupSize = maxSize;
        groupOfProcess = filled(maxId + 1);
        memberIndexOfProcess = filled(maxId + 1);
        serverOrdinalOfProcess = filled(maxId + 1);
        clientOrdinalOfProcess = filled(maxId + 1);
        servers = new int[serverCount];
        int ordinal = 0;
        for (int g = 0; g < members.length; g++)
        {
            for (int i = 0; i < members[g].length; i++)
            {
                final int p = members[g][i];
                if (groupOfProcess[p] != -1)
                {
                    throw new IllegalArgumentException("process " + p + " appears twice among the group members");
                }
                groupOfProcess[p] = g;
                memberIndexOfProcess[p] = i;
                serverOrdinalOfProcess[p] = ordinal;
                servers[ordinal++] = p;
            }
        }
        for (int i = 0; i < clients.length; i++)
        {
            final int c = clients[i];
            if (groupOfProcess[c] != -1 || clientOrdinalOfProcess[c] != -1)
            {
                throw new IllegalArgumentException("client " + c + " reuses the id of another process");
            }
            clientOrdinalOfProcess[c] = i;
        }
    }

    /**
     * A topology of {@code groups × replicas} servers with ids {@code 0..groups*replicas-1} (group
     * g holds ids {@code g*replicas .. g*replicas+replicas-1}) and {@code clients} clients numbered
     * after them.
     *
     * @param groups   number of groups.
     * @param replicas members per group (odd).
     * @param clients  number of clients.
     * @return the topology.
     */
    public static GroupTopology uniform(final int groups, final int replicas, final int clients)
    {
        final int[][] members = new int[groups][replicas];
        for (int g = 0; g < groups; g++)
        {
            for (int r = 0; r < replicas; r++)
            {
                members[g][r] = g * replicas + r;
            }
        }
        final int[] clientIds = new int[clients];
        for (int c = 0; c < clients; c++)
        {
            clientIds[c] = groups * replicas + c;
        }
        return new GroupTopology(members, clientIds);
    }

    private static int checkId(final int p)
    {
        if (p < 0 || p >= MAX_PROCESS_ID)
        {
            throw new IllegalArgumentException("process id " + p + " outside [0, " + MAX_PROCESS_ID + ")");
        }
        return p;
    }

    private static int[] filled(final int n)
    {
        final int[] a = new int[n];
        Arrays.fill(a, -1);
        return a;
    }

    /** @return number of groups. */
    public int groupCount()
    {
        return members.length;
    }

    /**
     * @param group group id.
     * @return the member process ids of the group (a copy).
     */
    public int[] members(final int group)
    {
        return members[group].clone();
    }

    int[] membersUnsafe(final int group)
    {
        return members[group];
    }

    /**
     * @param group group id.
     * @return number of members of the group.
     */
    public int groupSize(final int group)
    {
        return members[group].length;
    }

    /** @return the largest group size. */
    public int maxGroupSize()
    {
        return maxGroupSize;
    }

    /**
     * @param group group id.
     * @return the majority quorum size of the group, {@code floor(n/2)+1}.
     */
    public int quorum(final int group)
    {
        return members[group].length / 2 + 1;
    }

    /** @return client process ids (a copy). */
    public int[] clients()
    {
        return clients.clone();
    }

    /** @return number of clients. */
    public int clientCount()
    {
        return clients.length;
    }

    /** @return number of server processes. */
    public int serverCount()
    {
        return servers.length;
    }

    /** @return all server process ids in ordinal order (a copy). */
    public int[] servers()
    {
        return servers.clone();
    }

    /**
     * @param processId a process id.
     * @return the group of a server process, or -1 if it is not a server.
     */
    public int groupOf(final int processId)
    {
        return processId >= 0 && processId < groupOfProcess.length ? groupOfProcess[processId] : -1;
    }

    /**
     * @param processId a server process id.
     * @return its index among its group's members, or -1.
     */
    public int memberIndexOf(final int processId)
    {
        return processId >= 0 && processId < memberIndexOfProcess.length ? memberIndexOfProcess[processId] : -1;
    }

    /**
     * @param processId a server process id.
     * @return its ordinal among all servers, or -1.
     */
    public int serverOrdinalOf(final int processId)
    {
        return processId >= 0 && processId < serverOrdinalOfProcess.length ? serverOrdinalOfProcess[processId] : -1;
    }

    /**
     * @param processId a client process id.
     * @return its ordinal among clients, or -1 if it is not a client.
     */
    public int clientOrdinalOf(final int processId)
    {
        return processId >= 0 && processId < clientOrdinalOfProcess.length ? clientOrdinalOfProcess[processId] : -1;
    }

    /**
     * @param processId a process id.
     * @return whether the process is a server.
     */
    public boolean isServer(final int processId)
    {
        return groupOf(processId) >= 0;
    }

    /**
     * @param processId a process id.
     * @return whether the process is a client.
     */
    public boolean isClient(final int processId)
    {
        return clientOrdinalOf(processId) >= 0;
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("GroupTopology{");
        for (int g = 0; g < members.length; g++)
        {
            sb.append("g").append(g).append('=').append(Arrays.toString(members[g])).append(", ");
        }
        return sb.append("clients=").append(Arrays.toString(clients)).append('}').toString();
    }
}
