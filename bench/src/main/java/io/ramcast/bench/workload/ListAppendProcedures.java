package io.ramcast.bench.workload;

import io.ramcast.check.history.MicroOp;
import io.ramcast.txn.ProcedureContext;
import io.ramcast.txn.ProcedureProvider;
import io.ramcast.txn.ProcedureRegistry;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The list-append workload's procedure, found by every replica started from the RamCast KV jar
 * ({@code META-INF/services/io.ramcast.txn.ProcedureProvider}).
 *
 * <p>{@value #TXN} runs a list of micro-ops in order: {@code read key} returns the list stored at
 * the key, {@code append key value} stores the list with {@code value} added at its end. A list is
 * stored as its elements, oldest first, each an 8-byte big-endian long; an absent key is the empty
 * list. A later micro-op sees the earlier ones' appends. The caller declares every key in both the
 * read and the write set. Deterministic: the outcome depends only on the arguments and the reads.
 * Malformed arguments or a stored value that is not a list abort the transaction.
 *
 * <pre>
 *  arguments (big-endian)
 *  +----------+-------------------------+
 *  | count u8 | micro-op x count        |     count in [1, {@value #MAX_MICRO_OPS}]
 *  +----------+-------------------------+
 *  micro-op
 *  +---------+----------------+-----------+-------------------------+
 *  | kind u8 | key length u16 | key bytes | value i64 (append only) |     kind: 0 read, 1 append
 *  +---------+----------------+-----------+-------------------------+
 *  output: for each read, in micro-op order
 *  +-------------------+----------------------+
 *  | element count i32 | elements i64 x count |
 *  +-------------------+----------------------+
 * </pre>
 */
public final class ListAppendProcedures implements ProcedureProvider
{
    /** Name of the list-append transaction procedure. */
    public static final String TXN = "listappend.txn";
    /** Most micro-ops one call may carry. */
    public static final int MAX_MICRO_OPS = 255;

    private static final byte KIND_READ = 0;
    private static final byte KIND_APPEND = 1;
    private static final int MAX_KEY_BYTES = 0xFFFF;

    @Override
    public void register(final ProcedureRegistry registry)
    {
        registry.register(TXN, ListAppendProcedures::execute);
    }

    private static byte[] execute(final ProcedureContext ctx)
    {
        final ByteBuffer args = ByteBuffer.wrap(ctx.arguments());
        if (args.remaining() < 1)
        {
            throw ctx.abort(TXN + " needs at least the micro-op count, got no arguments");
        }
        final int count = args.get() & 0xFF;
        if (count == 0)
        {
            throw ctx.abort(TXN + " needs at least one micro-op");
        }
        final ByteBuffer out = ByteBuffer.allocate(outputCapacity(ctx, args.duplicate(), count));
        for (int i = 0; i < count; i++)
        {
            final byte kind = args.get();
            final byte[] key = new byte[args.getShort() & 0xFFFF];
            args.get(key);
            final long[] list = decodeList(ctx, key);
            if (kind == KIND_READ)
            {
                out.putInt(list.length);
                for (final long v : list)
                {
                    out.putLong(v);
                }
            }
            else
            {
                final ByteBuffer next = ByteBuffer.allocate((list.length + 1) * Long.BYTES);
                for (final long v : list)
                {
                    next.putLong(v);
                }
                ctx.write(key, next.putLong(args.getLong()).array());
            }
        }
        return Arrays.copyOf(out.array(), out.position());
    }

    /**
     * Checks the arguments' structure completely before anything is read, and bounds the output:
     * each read returns at most the list it finds plus the appends made before it in this call.
     */
    private static int outputCapacity(final ProcedureContext ctx, final ByteBuffer args, final int count)
    {
        long capacity = 0;
        long appends = 0;
        for (int i = 0; i < count; i++)
        {
            if (args.remaining() < 3)
            {
                throw ctx.abort(TXN + " micro-op " + i + " of " + count + " is truncated");
            }
            final byte kind = args.get();
            final int keyLength = args.getShort() & 0xFFFF;
            if (kind != KIND_READ && kind != KIND_APPEND)
            {
                throw ctx.abort(TXN + " micro-op " + i + " has unknown kind " + kind);
            }
            if (keyLength == 0 || args.remaining() < keyLength + (kind == KIND_APPEND ? Long.BYTES : 0))
            {
                throw ctx.abort(TXN + " micro-op " + i + " has an empty or truncated key or value");
            }
            final byte[] key = new byte[keyLength];
            args.get(key);
            if (kind == KIND_APPEND)
            {
                args.getLong();
                appends++;
            }
            else
            {
                final byte[] stored = ctx.read(key);
                capacity += Integer.BYTES + (long)(stored == null ? 0 : stored.length) + appends * Long.BYTES;
            }
        }
        if (args.hasRemaining())
        {
            throw ctx.abort(TXN + " has " + args.remaining() + " bytes after its " + count + " micro-ops");
        }
        if (capacity > Integer.MAX_VALUE - 8)
        {
            throw ctx.abort(TXN + " would return " + capacity + " bytes");
        }
        return (int)capacity;
    }

    private static long[] decodeList(final ProcedureContext ctx, final byte[] key)
    {
        final byte[] stored = ctx.read(key);
        if (stored == null)
        {
            return new long[0];
        }
        if (stored.length % Long.BYTES != 0)
        {
            throw ctx.abort("key " + new String(key, StandardCharsets.UTF_8) + " holds " + stored.length +
                " bytes, not a list of 8-byte longs");
        }
        final long[] list = new long[stored.length / Long.BYTES];
        ByteBuffer.wrap(stored).asLongBuffer().get(list);
        return list;
    }

    /**
     * Encodes micro-ops as the procedure's arguments; read results, if any, are ignored.
     *
     * @param ops the micro-ops, 1 to {@value #MAX_MICRO_OPS}, keys of 1 to 65535 UTF-8 bytes.
     * @return the arguments.
     * @throws IllegalArgumentException if there are no or too many micro-ops or a key is too long.
     */
    public static byte[] encodeArguments(final List<MicroOp> ops)
    {
        if (ops.isEmpty() || ops.size() > MAX_MICRO_OPS)
        {
            throw new IllegalArgumentException(TXN + " takes 1 to " + MAX_MICRO_OPS + " micro-ops, got " + ops.size());
        }
        final List<byte[]> keys = new ArrayList<>(ops.size());
        int size = 1;
        for (final MicroOp op : ops)
        {
            final byte[] key = op.key().getBytes(StandardCharsets.UTF_8);
            if (key.length > MAX_KEY_BYTES)
            {
                throw new IllegalArgumentException("key of " + key.length + " bytes is longer than " + MAX_KEY_BYTES);
            }
            keys.add(key);
            size += 1 + Short.BYTES + key.length + (op instanceof MicroOp.Append ? Long.BYTES : 0);
        }
        final ByteBuffer args = ByteBuffer.allocate(size).put((byte)ops.size());
        for (int i = 0; i < ops.size(); i++)
        {
            final MicroOp op = ops.get(i);
            args.put(op instanceof MicroOp.Append ? KIND_APPEND : KIND_READ).putShort((short)keys.get(i).length)
                .put(keys.get(i));
            if (op instanceof MicroOp.Append append)
            {
                args.putLong(append.value());
            }
        }
        return args.array();
    }

    /**
     * Decodes the procedure's arguments back into micro-ops, the inverse of {@link #encodeArguments}.
     *
     * @param args the arguments of a {@value #TXN} call.
     * @return the micro-ops, reads with their result pending.
     * @throws IllegalArgumentException if the arguments do not follow the layout above (count, kinds,
     *                                  lengths, nothing after the last micro-op).
     */
    public static List<MicroOp> decodeArguments(final byte[] args)
    {
        final ByteBuffer in = ByteBuffer.wrap(args);
        if (!in.hasRemaining())
        {
            throw new IllegalArgumentException(TXN + " arguments are empty");
        }
        final int count = in.get() & 0xFF;
        if (count == 0)
        {
            throw new IllegalArgumentException(TXN + " arguments hold no micro-op");
        }
        final List<MicroOp> ops = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            if (in.remaining() < 1 + Short.BYTES)
            {
                throw new IllegalArgumentException(TXN + " arguments end inside micro-op " + i);
            }
            final byte kind = in.get();
            final int keyLength = in.getShort() & 0xFFFF;
            final int valueBytes = kind == KIND_APPEND ? Long.BYTES : 0;
            if (kind != KIND_READ && kind != KIND_APPEND)
            {
                throw new IllegalArgumentException(TXN + " micro-op " + i + " has unknown kind " + kind);
            }
            if (in.remaining() < keyLength + valueBytes)
            {
                throw new IllegalArgumentException(TXN + " arguments end inside micro-op " + i);
            }
            final byte[] key = new byte[keyLength];
            in.get(key);
            final String keyText = new String(key, StandardCharsets.UTF_8);
            ops.add(kind == KIND_APPEND ? MicroOp.append(keyText, in.getLong()) : MicroOp.pendingRead(keyText));
        }
        if (in.hasRemaining())
        {
            throw new IllegalArgumentException(TXN + " arguments have " + in.remaining() + " bytes after the last micro-op");
        }
        return ops;
    }

    /**
     * Fills in the read results of micro-ops from the procedure's output.
     *
     * @param ops    the micro-ops the call was made with.
     * @param output what the procedure returned.
     * @return the micro-ops with every read's result.
     * @throws IllegalArgumentException if the output does not hold exactly one list per read.
     */
    public static List<MicroOp> decodeOutput(final List<MicroOp> ops, final byte[] output)
    {
        final ByteBuffer in = ByteBuffer.wrap(output);
        final List<MicroOp> completed = new ArrayList<>(ops.size());
        for (final MicroOp op : ops)
        {
            if (op instanceof MicroOp.Read read)
            {
                if (in.remaining() < Integer.BYTES)
                {
                    throw new IllegalArgumentException(TXN + " output of " + output.length + " bytes ends before the " +
                        "result of " + read);
                }
                final int length = in.getInt();
                if (length < 0 || (long)length * Long.BYTES > in.remaining())
                {
                    throw new IllegalArgumentException(TXN + " output claims " + length + " elements for " + read +
                        " but " + in.remaining() + " bytes remain");
                }
                final List<Long> values = new ArrayList<>(length);
                for (int i = 0; i < length; i++)
                {
                    values.add(in.getLong());
                }
                completed.add(new MicroOp.Read(read.key(), values));
            }
            else
            {
                completed.add(op);
            }
        }
        if (in.hasRemaining())
        {
            throw new IllegalArgumentException(TXN + " output has " + in.remaining() + " bytes after the last read");
        }
        return completed;
    }
}
