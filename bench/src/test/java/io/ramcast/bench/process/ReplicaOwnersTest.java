package io.ramcast.bench.process;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ReplicaOwnersTest
{
    @TempDir
    Path dir;

    @Test
    void shouldLaunchThroughSetprivWithAClassPathOthersCanRead() throws Exception
    {
        final Path privateDir = Files.createDirectory(dir.resolve("home"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        final Path privateJar = Files.writeString(privateDir.resolve("lib.jar"), "jar bytes");
        final Path publicJar = Path.of(System.getProperty("java.home"), "lib", "jrt-fs.jar");
        assumeTrue(ReadableClassPath.readableByOthers(publicJar), publicJar + " is not readable by others here");
        final Path copies = dir.resolve("copies");
        final ReplicaOwners owners = ReplicaOwners.of(Map.of(3, new ProcessOwner(61_003, 61_013)), copies);

        final List<String> command = owners.launchCommand(3,
            List.of("java", "-Xmx64m", "-cp", privateJar + File.pathSeparator + publicJar, "Main", "-cp"));

        assertThat(command.subList(0, 4)).containsExactly("setpriv", "--reuid=61003", "--regid=61013", "--clear-groups");
        assertThat(command.subList(4, 7)).containsExactly("java", "-Xmx64m", "-cp");
        assertThat(command.subList(8, 10)).as("only the first class path option is rewritten").containsExactly("Main", "-cp");
        final String[] entries = command.get(7).split(File.pathSeparator);
        assertThat(entries).hasSize(2);
        assertThat(entries[1]).isEqualTo(publicJar.toString());
        final Path copy = Path.of(entries[0]);
        assertThat(copy.getParent()).isEqualTo(copies.toAbsolutePath());
        assertThat(Files.readString(copy)).isEqualTo("jar bytes");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(copy))).isEqualTo("rw-r--r--");
        assertThat(owners.launchCommand(3, List.of("java", "-cp", privateJar.toString())).get(6))
            .as("a second launch reuses the copy").isEqualTo(copy.toString());
    }

    @Test
    void shouldRefuseCommandsWithoutClassPathAndReplicasWithoutOwner()
    {
        final ReplicaOwners owners = ReplicaOwners.of(Map.of(0, new ProcessOwner(61_000, 61_000)), dir);
        assertThatThrownBy(() -> owners.launchCommand(0, List.of("java", "-jar", "x.jar")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-cp");
        assertThatThrownBy(() -> owners.launchCommand(1, List.of("java", "-cp", "x")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replica 1");
        assertThatThrownBy(() -> ReplicaOwners.of(Map.of(0, new ProcessOwner(61_000, 61_000),
            1, new ProcessOwner(61_000, 61_001)), dir)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldAllocateDistinctNonRootUidsAndMapThemToReplicas()
    {
        final ReplicaOwners owners = ReplicaOwners.allocate(List.of(7, 3, 5));
        final Map<Integer, Integer> uids = owners.uidByReplicaId();
        assertThat(uids).containsOnlyKeys(3, 5, 7);
        assertThat(uids.values()).doesNotHaveDuplicates().allSatisfy(uid ->
            assertThat(uid).isBetween(ProcessOwner.FIRST_UID,
                ProcessOwner.FIRST_UID + ProcessOwner.BLOCK_SIZE * ProcessOwner.BLOCK_COUNT - 1));
        assertThat(uids.get(3)).isLessThan(uids.get(5)).isLessThan(uids.get(7));
        assertThatThrownBy(() -> new ProcessOwner(0, 61_000)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldHandADataDirectoryToItsOwnerOnlyWhenTheOwnerCanReachIt() throws Exception
    {
        assumeTrue(ProcessOwner.effectiveUid() == 0, "chown needs root");
        final ProcessOwner owner = new ProcessOwner(61_007, 61_008);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        assertThatThrownBy(() -> owner.ownDirectory(dir.resolve("data").resolve("replica-0")))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining(dir.toString()).hasMessageContaining("o+x");

        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        final Path data = dir.resolve("data").resolve("replica-0");
        Files.createDirectories(data);
        Files.writeString(data.resolve("CURRENT"), "from an earlier run");
        owner.ownDirectory(data);

        for (final Path p : List.of(data, data.resolve("CURRENT")))
        {
            assertThat(Files.getAttribute(p, "unix:uid")).as("%s", p).isEqualTo(61_007);
            assertThat(Files.getAttribute(p, "unix:gid")).as("%s", p).isEqualTo(61_008);
        }
    }
}
