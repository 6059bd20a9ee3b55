package io.ramcast.txn;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Renders keys and values for {@code toString} and messages: text in quotes when the bytes are
 * UTF-8 without control characters, else hex with a {@code 0x} prefix, shortened beyond
 * {@value #MAX_SHOWN_BYTES} bytes.
 */
public final class Printable
{
    /** Longest value shown whole. */
    public static final int MAX_SHOWN_BYTES = 64;

    private Printable()
    {
    }

    /**
     * @param bytes the bytes, or null.
     * @return {@code "text"}, {@code 0x0a1b...}, or {@code null}.
     */
    public static String of(final byte[] bytes)
    {
        if (null == bytes)
        {
            return "null";
        }
        final int shown = Math.min(bytes.length, MAX_SHOWN_BYTES);
        final String more = bytes.length > shown ? "...(" + bytes.length + " bytes)" : "";
        final String text = utf8(bytes, shown);
        return null != text ? '"' + text + '"' + more : "0x" + HexFormat.of().formatHex(bytes, 0, shown) + more;
    }

    private static String utf8(final byte[] bytes, final int length)
    {
        try
        {
            final String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, length)).toString();
            return text.chars().anyMatch(Character::isISOControl) ? null : text;
        }
        catch (final CharacterCodingException ex)
        {
            return null; // not UTF-8 (or cut inside a character): shown as hex
        }
    }
}
