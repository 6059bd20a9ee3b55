package io.ramcast.multicast;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * What the JVM must allow for RamCast to run, checked once up front so that a missing option
 * fails with one line naming it instead of an {@link IllegalAccessError} deep inside a library.
 *
 * <p>Agrona 2 (buffers, queues, agents) calls {@code jdk.internal.misc.Unsafe}, which Java 17
 * exports only with {@value #REQUIRED_OPTION}. {@code bin/ramcast} and the fat jar's manifest pass
 * it; an application embedding the client adds it to its own {@code java} command (or
 * {@code JDK_JAVA_OPTIONS}, or its build tool's test JVM options).
 */
public final class JvmSupport
{
    /** The JVM option every process using RamCast needs. */
    public static final String REQUIRED_OPTION = "--add-exports java.base/jdk.internal.misc=ALL-UNNAMED";

    /**
     * The JVM option a process using the {@code rdma} fabric needs as well: DiSNI 2.1 reaches
     * {@code sun.nio.ch.DirectBuffer} on its first call. {@code bin/ramcast}, the fat jar's manifest
     * and the replica processes it starts pass it.
     */
    public static final String RDMA_OPTION = "--add-exports java.base/sun.nio.ch=ALL-UNNAMED";

    private static volatile boolean checked;

    /** @return whether this JVM exports {@code java.base/sun.nio.ch} to the class path (see {@link #RDMA_OPTION}). */
    public static boolean nioInternalsExported()
    {
        return Object.class.getModule().isExported("sun.nio.ch", JvmSupport.class.getModule());
    }

    private JvmSupport()
    {
    }

    /**
     * @throws IllegalStateException naming {@value #REQUIRED_OPTION} if this JVM was started without it.
     */
    public static void requireUnsafeAccess()
    {
        if (checked)
        {
            return;
        }
        try
        {
            final UnsafeBuffer probe = new UnsafeBuffer(new byte[8]);
            probe.putLong(0, 1L);
            checked = 1L == probe.getLong(0);
        }
        catch (final IllegalAccessError | NoClassDefFoundError | ExceptionInInitializerError ex)
        {
            throw new IllegalStateException("RamCast needs the JVM option " + REQUIRED_OPTION + " (Agrona 2 uses " +
                "jdk.internal.misc.Unsafe); add it to the java command, JDK_JAVA_OPTIONS or the build's test JVM " +
                "options", ex);
        }
    }
}
