package io.ramcast.txn;

/**
 * A transaction body registered by name on every replica: computes writes from the values it
 * reads, deterministically.
 *
 * <p>Contract: the same arguments and the same reads must give the same writes and output at every
 * replica of every partition, so a procedure must not read clocks, random sources, files, the
 * network or mutable static state, and must not depend on hash iteration order. It may only read
 * keys the transaction declared in its read set and write keys declared in its write set. It runs
 * on the replica's executor thread and must be fast.
 *
 * <p>Errors: a procedure ends a transaction without committing only by throwing
 * {@link ProcedureContext.Abort} (a business decision, e.g. insufficient funds) or
 * {@link InvalidTransactionException} (arguments or stored values it cannot accept, e.g. out of
 * range), both computed identically at every replica. Any other exception is taken for a bug in the
 * procedure: the replica's executor stops (fail-stop) rather than guess that every replica failed
 * alike.
 */
@FunctionalInterface
public interface Procedure
{
    /**
     * @param context the transaction's arguments, reads and writes.
     * @return the output returned to the client (may be empty, not null).
     * @throws ProcedureContext.Abort       to end the transaction without committing, with a reason.
     * @throws InvalidTransactionException if the arguments or the values read are invalid.
     */
    byte[] execute(ProcedureContext context);
}
