package io.ramcast.multicast;

/**
 * A scenario file that cannot be run as written: a malformed block, an unknown verb, a missing or
 * bad argument. The message starts with {@code file:line:} so the reader can go to the place.
 */
final class ScenarioException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param file       the scenario file's name.
     * @param lineNumber the 1-based line of the offending command or block.
     * @param message    what is wrong, in the reader's terms.
     */
    ScenarioException(final String file, final int lineNumber, final String message)
    {
        super(file + ":" + lineNumber + ": " + message);
    }
}
