package io.ramcast.bench.workload;

import io.ramcast.txn.Op;
import io.ramcast.txn.Procedure;
import io.ramcast.txn.ProcedureContext;
import io.ramcast.txn.ProcedureRegistry;
import io.ramcast.txn.Transaction;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A single-threaded stand-in for the replicas: runs a procedure call against an in-memory store the
 * way the executor does (reads and writes only of declared keys, a later read sees an earlier
 * write, writes applied only if the procedure returns), so procedure logic can be tested without a
 * cluster. Procedures come from the class path, as on a replica.
 */
final class SmallBankFakeStore
{
    /** Outcome of one call: the output, or the abort reason (exactly one is non-null). */
    record Outcome(byte[] output, String abortReason)
    {
        boolean committed()
        {
            return abortReason == null;
        }
    }

    private final ProcedureRegistry procedures = ProcedureRegistry.withProviders();
    private final Map<byte[], byte[]> store = new TreeMap<>(Arrays::compareUnsigned);

    void put(final byte[] key, final byte[] value)
    {
        store.put(key, value);
    }

    byte[] get(final byte[] key)
    {
        return store.get(key);
    }

    /**
     * @param transaction an operation-list transaction of puts only (a load transaction).
     */
    void applyPuts(final Transaction transaction)
    {
        transaction.ops().forEach(op -> store.put(op.key(), ((Op.Put)op).value()));
    }

    /**
     * @param transaction a procedure call.
     * @return its outcome; the store changes only if it committed.
     * @throws IllegalArgumentException if the procedure touches an undeclared key (a bug the
     *                                  executor turns into an INVALID outcome).
     */
    Outcome execute(final Transaction transaction)
    {
        final Procedure procedure = procedures.find(transaction.procedureName());
        if (procedure == null)
        {
            throw new IllegalArgumentException("unknown procedure " + transaction.procedureName());
        }
        final Map<byte[], byte[]> view = new TreeMap<>(Arrays::compareUnsigned);
        view.putAll(store);
        final ProcedureContext context = new ProcedureContext()
        {
            @Override
            public byte[] arguments()
            {
                return transaction.procedureArguments();
            }

            @Override
            public byte[] read(final byte[] key)
            {
                require(transaction.readKeys(), key, "read");
                return view.get(key);
            }

            @Override
            public void write(final byte[] key, final byte[] value)
            {
                require(transaction.writeKeys(), key, "write");
                view.put(key, value);
            }

            @Override
            public void delete(final byte[] key)
            {
                require(transaction.writeKeys(), key, "write");
                view.remove(key);
            }
        };
        try
        {
            final byte[] output = procedure.execute(context);
            store.clear();
            store.putAll(view);
            return new Outcome(output, null);
        }
        catch (final ProcedureContext.Abort abort)
        {
            return new Outcome(null, abort.getMessage());
        }
    }

    private static void require(final List<byte[]> declared, final byte[] key, final String what)
    {
        if (declared.stream().noneMatch(k -> Arrays.equals(k, key)))
        {
            throw new IllegalArgumentException("key " + new String(key, StandardCharsets.UTF_8) +
                " is not in the " + what + " set");
        }
    }
}
