package io.ramcast.multicast.fabric.rdma;

import java.util.List;

/**
 * A decoded handshake message (layout in {@link HandshakeCodec}).
 *
 * @param type              {@link HandshakeCodec#TYPE_WRITER_HELLO} or {@link HandshakeCodec#TYPE_OWNER_HELLO}.
 * @param lane              the lane the connection carries.
 * @param processId         the sending process.
 * @param incarnation       the sending process's incarnation (changes when it restarts).
 * @param keyTableAddress   owner hello: address of the owner's key table, which the writer writes
 *                          to publish keys of its own regions; 0 in a writer hello.
 * @param keyTableRkey      owner hello: rkey of that key table for this writer.
 * @param keyTableEntries   owner hello: number of 8-byte key words in the key table.
 * @param regions           owner hello: the owner's regions in table order; empty in a writer hello.
 */
record Handshake(
    int type,
    int lane,
    int processId,
    long incarnation,
    long keyTableAddress,
    int keyTableRkey,
    int keyTableEntries,
    List<Region> regions)
{
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
}
