package io.ramcast.storage.transfer;

/**
 * What a {@link SnapshotFetcher} reports while it downloads, on its own thread: keep the calls
 * short (print, count). An exception thrown here stops the download at once, like a killed
 * process: the staging directory and its progress file stay for the next run to resume.
 */
public interface TransferListener
{
    /** Reports nothing. */
    TransferListener NONE = new TransferListener()
    {
    };

    /**
     * The snapshot to download is known.
     *
     * @param manifest     the snapshot.
     * @param resumedBytes bytes already verified in the staging directory from an earlier attempt.
     */
    default void onManifest(final SnapshotManifest manifest, final long resumedBytes)
    {
    }

    /**
     * Called after every verified chunk.
     *
     * @param verifiedBytes bytes verified so far, over all files (including resumed ones).
     * @param totalBytes    the snapshot's size.
     * @param filesDone     files complete.
     * @param fileCount     files in the snapshot.
     */
    default void onProgress(final long verifiedBytes, final long totalBytes, final int filesDone, final int fileCount)
    {
    }

    /**
     * The download goes on after a setback: a lost connection (resumed from the verified offsets),
     * or a snapshot the source no longer holds (started again with a new one).
     *
     * @param reason what happened, for a log line.
     */
    default void onRestart(final String reason)
    {
    }
}
