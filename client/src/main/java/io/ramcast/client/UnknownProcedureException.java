package io.ramcast.client;

import io.ramcast.txn.ReasonCode;

/**
 * A procedure call did not commit because no procedure of that name is registered on the replicas
 * ({@link ReasonCode#UNKNOWN_PROCEDURE}). Nothing was written.
 */
public final class UnknownProcedureException extends NotCommittedException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param requestId the request id of the attempt.
     * @param detail    the replicas' detail, naming the procedure.
     */
    public UnknownProcedureException(final long requestId, final String detail)
    {
        super(requestId, ReasonCode.UNKNOWN_PROCEDURE, detail);
    }
}
