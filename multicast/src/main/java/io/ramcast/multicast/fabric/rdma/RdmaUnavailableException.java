package io.ramcast.multicast.fabric.rdma;

/**
 * The {@code rdma} fabric cannot run on this host: DiSNI's native library or an RDMA device is
 * missing. The message names which, and how to install it. Thrown before anything is opened.
 */
public final class RdmaUnavailableException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** The probe's outcome; not serialized (the message carries it). */
    private final transient RdmaEnvironment.Report report;

    /**
     * @param report the probe's outcome, with at least one missing item.
     */
    public RdmaUnavailableException(final RdmaEnvironment.Report report)
    {
        super("fabric rdma cannot start on this host:\n" + report.describe());
        this.report = report;
    }

    /** @return the probe's outcome (null after deserialization). */
    public RdmaEnvironment.Report report()
    {
        return report;
    }
}
