package io.ramcast.txn;

import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The procedures a replica knows, by name. Every replica of a cluster must register the same
 * procedures under the same names.
 *
 * <p>Procedures come from code ({@link #register}) and from {@link ProcedureProvider}s found with
 * {@link ServiceLoader} on the class path ({@link #withProviders()}), so a deployment adds its own
 * procedures by putting a jar next to the replica's.
 *
 * <p>Threading: register before the replica starts; lookups are then read-only.
 */
public final class ProcedureRegistry
{
    private final Map<String, Procedure> procedures = new TreeMap<>();

    /**
     * @return a registry holding the procedures of every {@link ProcedureProvider} on the class path.
     */
    public static ProcedureRegistry withProviders()
    {
        final ProcedureRegistry registry = new ProcedureRegistry();
        for (final ProcedureProvider provider : ServiceLoader.load(ProcedureProvider.class))
        {
            provider.register(registry);
        }
        return registry;
    }

    /**
     * @param name      the name clients call it by.
     * @param procedure the procedure.
     * @return this.
     * @throws IllegalArgumentException if the name is taken or empty.
     */
    public ProcedureRegistry register(final String name, final Procedure procedure)
    {
        if (name == null || name.isEmpty())
        {
            throw new IllegalArgumentException("a procedure needs a name");
        }
        if (procedures.putIfAbsent(name, Objects.requireNonNull(procedure)) != null)
        {
            throw new IllegalArgumentException("procedure " + name + " is registered twice");
        }
        return this;
    }

    /**
     * @param name a procedure name.
     * @return the procedure, or null if none is registered under that name.
     */
    public Procedure find(final String name)
    {
        return procedures.get(name);
    }

    /** @return the registered names, sorted. */
    public java.util.Set<String> names()
    {
        return java.util.Collections.unmodifiableSet(procedures.keySet());
    }
}
