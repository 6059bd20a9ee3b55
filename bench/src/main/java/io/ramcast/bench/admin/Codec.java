package io.ramcast.bench.admin;

import io.ramcast.bench.cli.LowerCaseEnumConverter;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;

/** How the shell reads keys and values from its arguments and prints them: UTF-8 text, hex or base64. */
enum Codec
{
    /** Text, UTF-8; a stored value that is not valid UTF-8 prints as {@code 0x} and hex. */
    UTF8,
    /** Hex digits, two per byte (a leading {@code 0x} is allowed). */
    HEX,
    /** Standard base64 with padding. */
    BASE64;

    /**
     * @param text an argument.
     * @return its bytes.
     * @throws IllegalArgumentException if it is not valid in this encoding.
     */
    byte[] decode(final String text)
    {
        return switch (this)
        {
            case UTF8 -> text.getBytes(StandardCharsets.UTF_8);
            case HEX ->
            {
                final String digits = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
                try
                {
                    yield HexFormat.of().parseHex(digits);
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new IllegalArgumentException("'" + text + "' is not hex (two digits 0-9a-f per byte)");
                }
            }
            case BASE64 ->
            {
                try
                {
                    yield Base64.getDecoder().decode(text);
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new IllegalArgumentException("'" + text + "' is not base64: " + ex.getMessage());
                }
            }
        };
    }

    /**
     * @param bytes stored bytes.
     * @return them in this encoding.
     */
    String encode(final byte[] bytes)
    {
        return switch (this)
        {
            case UTF8 -> utf8OrHex(bytes);
            case HEX -> HexFormat.of().formatHex(bytes);
            case BASE64 -> Base64.getEncoder().encodeToString(bytes);
        };
    }

    private static String utf8OrHex(final byte[] bytes)
    {
        try
        {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        }
        catch (final CharacterCodingException ex)
        {
            return "0x" + HexFormat.of().formatHex(bytes);
        }
    }

    /** Picocli: {@code utf8}, {@code hex}, {@code base64}, any case. */
    static final class Converter extends LowerCaseEnumConverter<Codec>
    {
        Converter()
        {
            super(Codec.class);
        }
    }
}
