package io.ramcast.bench.process;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which uid each replica process runs under, and how to start it that way: the launcher's opt-in
 * for {@link io.ramcast.bench.faults.LinkCutter}, which tells processes apart by the uid of their sockets.
 *
 * <p>A replica started through {@link #launchCommand} runs {@code setpriv --reuid=U --regid=G
 * --clear-groups java ...}, with a class path every uid can read ({@link ReadableClassPath}:
 * entries under a private home are copied to {@code <java.io.tmpdir>/ramcast-classpath}). Its data
 * directory must be handed to it first ({@link #prepareDataDir}); its config file must be readable
 * by others (files written with the usual umask 022 are) in directories others can search. Its
 * stdout and stderr are opened by the parent, so log files need nothing.
 *
 * <p>Threading: immutable after construction; the methods that touch files block on them.
 */
public final class ReplicaOwners
{
    private final Map<Integer, ProcessOwner> ownerByReplicaId;
    private final Path classPathCopyDir;

    private ReplicaOwners(final Map<Integer, ProcessOwner> ownerByReplicaId, final Path classPathCopyDir)
    {
        this.ownerByReplicaId = ownerByReplicaId;
        this.classPathCopyDir = classPathCopyDir;
    }

    /**
     * @param ownerByReplicaId each replica id and its owner (distinct uids).
     * @return the owners, copying unreadable class-path entries to
     *         {@code <java.io.tmpdir>/ramcast-classpath}.
     * @throws IllegalArgumentException if two replicas share a uid or the map is empty.
     */
    public static ReplicaOwners of(final Map<Integer, ProcessOwner> ownerByReplicaId)
    {
        return of(ownerByReplicaId, ReadableClassPath.defaultCopyDir());
    }

    /**
     * @param ownerByReplicaId each replica id and its owner (distinct uids).
     * @param classPathCopyDir where class-path entries others cannot read are copied.
     * @return the owners.
     * @throws IllegalArgumentException if two replicas share a uid or the map is empty.
     */
    public static ReplicaOwners of(final Map<Integer, ProcessOwner> ownerByReplicaId, final Path classPathCopyDir)
    {
        if (ownerByReplicaId.isEmpty())
        {
            throw new IllegalArgumentException("no replica owners given");
        }
        final long distinctUids = ownerByReplicaId.values().stream().mapToInt(ProcessOwner::uid).distinct().count();
        if (distinctUids != ownerByReplicaId.size())
        {
            throw new IllegalArgumentException("every replica needs a uid of its own: " + ownerByReplicaId);
        }
        return new ReplicaOwners(new TreeMap<>(ownerByReplicaId), classPathCopyDir);
    }

    /**
     * Gives each replica id one of the uids {@link ProcessOwner#allocate} hands to this JVM.
     *
     * @param replicaIds the replicas.
     * @return the owners.
     * @throws IllegalArgumentException if there are none or more than a block holds.
     */
    public static ReplicaOwners allocate(final Collection<Integer> replicaIds)
    {
        final List<Integer> ids = replicaIds.stream().sorted().distinct().toList();
        final List<ProcessOwner> owners = ProcessOwner.allocate(ids.size());
        final Map<Integer, ProcessOwner> byId = new TreeMap<>();
        for (int i = 0; i < ids.size(); i++)
        {
            byId.put(ids.get(i), owners.get(i));
        }
        return of(byId);
    }

    /**
     * @param replicaId a replica id.
     * @return its owner.
     * @throws IllegalArgumentException if it has none.
     */
    public ProcessOwner owner(final int replicaId)
    {
        final ProcessOwner owner = ownerByReplicaId.get(replicaId);
        if (owner == null)
        {
            throw new IllegalArgumentException("replica " + replicaId + " has no owner (owners: " + ownerByReplicaId + ")");
        }
        return owner;
    }

    /** @return each replica id and its uid, as {@link io.ramcast.bench.faults.LinkCutter#install} takes them. */
    public Map<Integer, Integer> uidByReplicaId()
    {
        final Map<Integer, Integer> uids = new TreeMap<>();
        ownerByReplicaId.forEach((id, owner) -> uids.put(id, owner.uid()));
        return uids;
    }

    /**
     * Hands a replica's data directory to its owner (created if missing, chowned recursively).
     *
     * @param replicaId the replica.
     * @param dataDir   its data directory.
     * @throws IllegalArgumentException if the replica has no owner.
     * @throws IllegalStateException    if the owner cannot reach the directory.
     * @throws java.io.UncheckedIOException if the directory cannot be created or chowned.
     */
    public void prepareDataDir(final int replicaId, final Path dataDir)
    {
        owner(replicaId).ownDirectory(dataDir);
    }

    /**
     * Turns a {@code java ... -cp CP ...} command line into one that runs as the replica's owner:
     * prefixed with {@code setpriv}, with the class path after {@code -cp} (or {@code -classpath},
     * {@code --class-path}) made readable for every uid.
     *
     * @param replicaId   the replica.
     * @param javaCommand the command line (not modified).
     * @return the new command line.
     * @throws IllegalArgumentException if the replica has no owner or the command has no class path
     *                                  option.
     * @throws java.io.UncheckedIOException if a class-path entry cannot be copied.
     */
    public List<String> launchCommand(final int replicaId, final List<String> javaCommand)
    {
        final ProcessOwner owner = owner(replicaId);
        final List<String> command = new ArrayList<>(owner.setprivPrefix());
        boolean classPathSeen = false;
        for (int i = 0; i < javaCommand.size(); i++)
        {
            final String word = javaCommand.get(i);
            command.add(word);
            if (!classPathSeen && (word.equals("-cp") || word.equals("-classpath") || word.equals("--class-path")) &&
                i + 1 < javaCommand.size())
            {
                command.add(ReadableClassPath.of(javaCommand.get(++i), classPathCopyDir));
                classPathSeen = true;
            }
        }
        if (!classPathSeen)
        {
            throw new IllegalArgumentException("no -cp option in " + javaCommand);
        }
        return command;
    }
}
