package io.ramcast.storage.transfer;

/**
 * A snapshot download that did not complete. {@link #kind()} says whether the data failed its
 * checks, the target was not usable, or the transfer itself failed; the message says what
 * happened, where the staging directory is (a later run resumes from it) and what to do.
 */
public final class SnapshotTransferException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** Why the download stopped. */
    public enum Kind
    {
        /** Data failed its CRC32C or SHA-256 check again after being fetched again. */
        VERIFICATION_FAILED,
        /** The target directory cannot receive the snapshot (holds other files, wrong place). */
        BAD_TARGET,
        /** The source was unreachable, refused, failed, or spoke another protocol; or local I/O failed. */
        FAILED
    }

    private final Kind kind;

    /**
     * @param kind    why.
     * @param message what happened and what to do.
     * @param cause   the underlying error, or null.
     */
    public SnapshotTransferException(final Kind kind, final String message, final Throwable cause)
    {
        super(message, cause);
        this.kind = kind;
    }

    /** @return why the download stopped. */
    public Kind kind()
    {
        return kind;
    }
}
