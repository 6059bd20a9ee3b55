package io.ramcast.multicast.fabric;

/**
 * The fabric contract over the {@code local} fabric: endpoints of one {@link LocalFabricHub}.
 */
class LocalFabricContractTest extends FabricContractTest
{
    private final LocalFabricHub hub = new LocalFabricHub();

    @Override
    protected Fabric newEndpoint(final int processId, final int[] listeningIds)
    {
        return hub.endpoint(processId);
    }

    @Override
    protected boolean holdWrites(final Fabric writer, final Fabric owner)
    {
        return false; // writes land synchronously at issue
    }

    @Override
    protected void releaseWrites(final Fabric writer, final Fabric owner)
    {
    }
}
