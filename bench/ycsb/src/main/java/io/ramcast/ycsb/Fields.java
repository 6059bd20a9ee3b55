package io.ramcast.ycsb;

import site.ycsb.ByteArrayByteIterator;
import site.ycsb.ByteIterator;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A YCSB record's fields as one value: a count, then per field (in name order) the name's length
 * and UTF-8 bytes and the value's length and bytes, lengths as 4-byte big-endian ints. Stateless.
 */
final class Fields
{
    private Fields()
    {
    }

    /** @return the values of YCSB's iterators, read once, by field name. */
    static Map<String, byte[]> materialize(final Map<String, ByteIterator> values)
    {
        final Map<String, byte[]> fields = new TreeMap<>();
        values.forEach((name, value) -> fields.put(name, value.toArray()));
        return fields;
    }

    /** @return the fields as one value. */
    static byte[] encode(final Map<String, byte[]> fields)
    {
        int size = Integer.BYTES;
        for (final Map.Entry<String, byte[]> f : fields.entrySet())
        {
            size += 2 * Integer.BYTES + f.getKey().getBytes(StandardCharsets.UTF_8).length + f.getValue().length;
        }
        final ByteBuffer out = ByteBuffer.allocate(size).putInt(fields.size());
        for (final Map.Entry<String, byte[]> f : new TreeMap<>(fields).entrySet())
        {
            final byte[] name = f.getKey().getBytes(StandardCharsets.UTF_8);
            out.putInt(name.length).put(name).putInt(f.getValue().length).put(f.getValue());
        }
        return out.array();
    }

    /** @return every field of a value, by name. */
    static Map<String, byte[]> decode(final byte[] value)
    {
        final ByteBuffer in = ByteBuffer.wrap(value);
        final int count = in.getInt();
        final Map<String, byte[]> fields = new TreeMap<>();
        for (int i = 0; i < count; i++)
        {
            final byte[] name = new byte[in.getInt()];
            in.get(name);
            final byte[] bytes = new byte[in.getInt()];
            in.get(bytes);
            fields.put(new String(name, StandardCharsets.UTF_8), bytes);
        }
        return fields;
    }

    /**
     * Puts the fields of a value into YCSB's result.
     *
     * @param wanted the fields asked for, or null for all.
     */
    static void decodeInto(final byte[] value, final Set<String> wanted, final Map<String, ByteIterator> result)
    {
        decode(value).forEach((name, bytes) ->
        {
            if (wanted == null || wanted.contains(name))
            {
                result.put(name, new ByteArrayByteIterator(bytes));
            }
        });
    }

    /** @return the value with the changed fields replaced (and new ones added). */
    static byte[] merge(final byte[] value, final Map<String, byte[]> changes)
    {
        final Map<String, byte[]> fields = decode(value);
        fields.putAll(changes);
        return encode(fields);
    }
}
