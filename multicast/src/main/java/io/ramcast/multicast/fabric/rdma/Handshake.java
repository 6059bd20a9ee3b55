package io.ramcast.multicast.fabric.rdma;

import java.util.List;

/**
 * A decoded handshake message (layout in {@link HandshakeCodec}).
 *
 * @param type              {@link HandshakeCodec#TYPE_WRITER_HELLO}, {@link HandshakeCodec#TYPE_OWNER_HELLO},
 *                          {@link HandshakeCodec#TYPE_AUTH} or {@link HandshakeCodec#TYPE_CHALLENGE}.
 * @param lane              the lane the connection carries.
 * @param processId         the sending process.
 * @param incarnation       the sending process's incarnation (changes when it restarts).
 * @param keyTableAddress   owner hello: address of the owner's key table, which the writer writes
 *                          to publish keys of its own regions; 0 in a writer hello.
 * @param keyTableRkey      owner hello: rkey of that key table for this writer.
 * @param keyTableEntries   owner hello: number of 8-byte key words in the key table.
 * @param regions           owner hello: the owner's regions in table order; empty otherwise.
 * @param nonce             authenticating: the sender's nonce for this connection (AUTH, CHALLENGE,
 *                          the connector's hello); {@link HandshakeCodec#NONCE_BYTES} zero bytes otherwise.
 * @param proof             authenticating: the sender's proof (CHALLENGE, the connector's hello);
 *                          zero otherwise.
 */
record Handshake(
    int type,
    int lane,
    int processId,
    long incarnation,
    long keyTableAddress,
    int keyTableRkey,
    int keyTableEntries,
    List<Region> regions,
    byte[] nonce,
    byte[] proof)
{
    /** The nonce and proof of messages without them. */
    static final byte[] NONE = new byte[HandshakeCodec.NONCE_BYTES];

    /**
     * A message without nonce and proof.
     */
    Handshake(final int type, final int lane, final int processId, final long incarnation, final long keyTableAddress,
        final int keyTableRkey, final int keyTableEntries, final List<Region> regions)
    {
        this(type, lane, processId, incarnation, keyTableAddress, keyTableRkey, keyTableEntries, regions, NONE, NONE);
    }

    /**
     * One region of the owner as the receiving writer may use it.
     *
     * @param regionId  the owner's region id.
     * @param sizeBytes the region size.
     * @param address   virtual address of its first byte at the owner.
     * @param keyWord   the writer's key ({@link RegionKey}).
     */
    record Region(int regionId, int sizeBytes, long address, long keyWord)
    {
    }

    /**
     * @param regionId a region id.
     * @return its position in {@link #regions()}, or -1 if the owner has no such region.
     */
    int indexOf(final int regionId)
    {
        for (int i = 0; i < regions.size(); i++)
        {
            if (regions.get(i).regionId() == regionId)
            {
                return i;
            }
        }
        return -1;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof Handshake that && type == that.type && lane == that.lane &&
            processId == that.processId && incarnation == that.incarnation && keyTableAddress == that.keyTableAddress &&
            keyTableRkey == that.keyTableRkey && keyTableEntries == that.keyTableEntries && regions.equals(that.regions) &&
            java.util.Arrays.equals(nonce, that.nonce) && java.util.Arrays.equals(proof, that.proof);
    }

    @Override
    public int hashCode()
    {
        return java.util.Objects.hash(type, lane, processId, incarnation, keyTableAddress, keyTableRkey, keyTableEntries,
            regions, java.util.Arrays.hashCode(nonce), java.util.Arrays.hashCode(proof));
    }

    @Override
    public String toString()
    {
        return "Handshake[type=" + type + ", lane=" + lane + ", processId=" + processId + ", incarnation=" + incarnation +
            ", keyTableAddress=" + keyTableAddress + ", keyTableRkey=" + keyTableRkey + ", keyTableEntries=" +
            keyTableEntries + ", regions=" + regions + ']'; // nonce and proof are not for logs
    }
}
