package io.ramcast.multicast;

import io.ramcast.multicast.fabric.Fabric;
import io.ramcast.multicast.fabric.LocalFabricHub;

/** The cluster scenarios over the {@code local} fabric (one JVM). */
class LocalClusterTest extends AbstractClusterTest
{
    private final LocalFabricHub hub = new LocalFabricHub();

    @Override
    Fabric fabric(final GroupTopology topology, final int processId)
    {
        return hub.endpoint(processId);
    }
}
