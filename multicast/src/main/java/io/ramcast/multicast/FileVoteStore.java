package io.ramcast.multicast;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * A {@link VoteStore} in one small file, replaced atomically by each save
 * ({@link DurableFiles#replace}).
 *
 * <pre>
 *   0       4       8               16              24              32      36
 *   +-------+-------+---------------+---------------+---------------+-------+
 *   | magic |version|    ballot     |   max round   | clock ceiling | CRC32C|
 *   +-------+-------+---------------+---------------+---------------+-------+
 *   big-endian; the CRC covers bytes 0..31
 * </pre>
 *
 * A file with another magic, version, length or checksum is refused with an
 * {@link UncheckedIOException} naming it: guessing votes could break safety.
 *
 * <p>Threading: one thread at a time.
 */
public final class FileVoteStore implements VoteStore
{
    /** File name inside a replica's data directory. */
    public static final String FILE_NAME = "RAMCAST-VOTES";

    static final int MAGIC = 0x52435654; // "RCVT"
    static final int VERSION = 1;
    static final int LENGTH = 36;

    private final Path file;

    /** @param file the votes file (its directory must exist). */
    public FileVoteStore(final Path file)
    {
        this.file = file;
    }

    @Override
    public Votes load()
    {
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(file);
        }
        catch (final NoSuchFileException e)
        {
            return Votes.NONE;
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot read the votes file " + file, e);
        }
        final ByteBuffer b = ByteBuffer.wrap(bytes);
        if (bytes.length != LENGTH || b.getInt(0) != MAGIC || b.getInt(4) != VERSION || b.getInt(32) != crc(bytes))
        {
            throw new UncheckedIOException(new IOException("votes file " + file + " is damaged or of another " +
                "version (" + bytes.length + " bytes); refusing to guess the ballots this server promised"));
        }
        return new Votes(b.getLong(8), b.getLong(16), b.getLong(24));
    }

    @Override
    public void save(final Votes votes)
    {
        final byte[] bytes = new byte[LENGTH];
        final ByteBuffer b = ByteBuffer.wrap(bytes);
        b.putInt(0, MAGIC).putInt(4, VERSION).putLong(8, votes.ballot()).putLong(16, votes.maxRound())
            .putLong(24, votes.clockCeiling());
        b.putInt(32, crc(bytes));
        try
        {
            DurableFiles.replace(file, bytes);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot save the votes file " + file, e);
        }
    }

    private static int crc(final byte[] bytes)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 32);
        return (int)crc.getValue();
    }

    @Override
    public String toString()
    {
        return "FileVoteStore{" + file + "}";
    }
}
