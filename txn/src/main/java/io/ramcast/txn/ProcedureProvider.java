package io.ramcast.txn;

/**
 * Contributes procedures to every replica that finds it on its class path
 * ({@code META-INF/services/io.ramcast.txn.ProcedureProvider}).
 */
public interface ProcedureProvider
{
    /**
     * @param registry the replica's registry.
     */
    void register(ProcedureRegistry registry);
}
