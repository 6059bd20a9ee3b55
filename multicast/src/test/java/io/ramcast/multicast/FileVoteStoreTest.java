package io.ramcast.multicast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Votes survive a reopen; a damaged file is refused, never guessed. */
class FileVoteStoreTest
{
    @TempDir
    Path dir;

    @Test
    void shouldLoadNoneBeforeTheFirstSave()
    {
        assertThat(new FileVoteStore(dir.resolve(FileVoteStore.FILE_NAME)).load()).isEqualTo(VoteStore.Votes.NONE);
    }

    @Test
    void shouldLoadTheLastSavedVotesInANewInstance()
    {
        final Path file = dir.resolve(FileVoteStore.FILE_NAME);
        final FileVoteStore store = new FileVoteStore(file);
        store.save(new VoteStore.Votes(Ballots.of(2, 1), 2, VoteStore.CLOCK_LEASE));
        store.save(new VoteStore.Votes(Ballots.of(3, 4), 3, 2 * VoteStore.CLOCK_LEASE));
        assertThat(new FileVoteStore(file).load())
            .isEqualTo(new VoteStore.Votes(Ballots.of(3, 4), 3, 2 * VoteStore.CLOCK_LEASE));
        assertThat(Files.exists(file.resolveSibling(FileVoteStore.FILE_NAME + ".tmp"))).isFalse();
    }

    @Test
    void shouldRefuseADamagedTruncatedOrForeignFile() throws IOException
    {
        final Path file = dir.resolve(FileVoteStore.FILE_NAME);
        new FileVoteStore(file).save(new VoteStore.Votes(Ballots.of(2, 1), 2, 10));
        final byte[] good = Files.readAllBytes(file);

        final byte[] flipped = good.clone();
        flipped[12] ^= 1;
        Files.write(file, flipped);
        assertThatThrownBy(() -> new FileVoteStore(file).load()).isInstanceOf(UncheckedIOException.class)
            .hasMessageContaining("is damaged");

        Files.write(file, java.util.Arrays.copyOf(good, 20));
        assertThatThrownBy(() -> new FileVoteStore(file).load()).isInstanceOf(UncheckedIOException.class)
            .hasMessageContaining("20 bytes");

        Files.writeString(file, "not a votes file at all, but 36 bytes");
        assertThatThrownBy(() -> new FileVoteStore(file).load()).isInstanceOf(UncheckedIOException.class);
    }

    @Test
    void shouldKeepVotesInMemoryForTests()
    {
        final VoteStore store = VoteStore.inMemory();
        assertThat(store.load()).isEqualTo(VoteStore.Votes.NONE);
        store.save(new VoteStore.Votes(5, 1, 7));
        assertThat(store.load()).isEqualTo(new VoteStore.Votes(5, 1, 7));
    }
}
