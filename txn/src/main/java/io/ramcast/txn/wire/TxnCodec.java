package io.ramcast.txn.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import io.ramcast.txn.KeyValue;
import io.ramcast.txn.Op;
import io.ramcast.txn.ReasonCode;
import io.ramcast.txn.Result;
import io.ramcast.txn.Transaction;
import io.ramcast.txn.TransactionAccess;

import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes the transaction layer's messages with Kryo: every class registered with an
 * explicit id and a hand-written serializer (no reflection, no Java serialization), so the format
 * is fixed by this file.
 *
 * <pre>
 *  message   = class id (Kryo varint) , body
 *  bytes     = varint (length + 1; 0 means null) , bytes
 *  TxnRequest (20)  = clientId varint, requestId long, settledBelow long, partitions (count, varints), transaction
 *  transaction      = kind byte (0 ops, 1 procedure, 2 checkpoint), then
 *                       ops:        count, each op = opcode byte + fields
 *                       procedure:  name string, arguments bytes, read keys (count, bytes...), write keys
 *                       checkpoint: id long (positive)
 *  TxnReply (21)    = requestId long, partition varint, committed bool, reason ordinal+1 (0 none),
 *                     detail string, results (count, each = tag byte + fields)
 *  ReadExchange (22)= messageId long, fromPartition varint, oversize bool, reads (count, key bytes,
 *                     value bytes), scans (count, scanIndex varint, entries)
 * </pre>
 *
 * <p>Threading: thread-safe (pooled Kryo instances). Errors: {@link #decode} throws
 * {@link IllegalArgumentException} for malformed bytes; it never trusts a length it has not checked
 * against what remains.
 */
public final class TxnCodec
{
    private static final int OP_GET = 1;
    private static final int OP_PUT = 2;
    private static final int OP_DELETE = 3;
    private static final int OP_CAS = 4;
    private static final int OP_INCREMENT = 5;
    private static final int OP_SCAN = 6;

    private static final int RESULT_NONE = 1;
    private static final int RESULT_VALUE = 2;
    private static final int RESULT_COUNTER = 3;
    private static final int RESULT_ENTRIES = 4;
    private static final int RESULT_OUTPUT = 5;

    private final Pool<Kryo> kryos = new Pool<>(true, false, 64)
    {
        @Override
        protected Kryo create()
        {
            final Kryo kryo = new Kryo();
            kryo.setRegistrationRequired(true);
            kryo.setReferences(false);
            kryo.register(TxnRequest.class, new RequestSerializer(), 20);
            kryo.register(TxnReply.class, new ReplySerializer(), 21);
            kryo.register(ReadExchange.class, new ExchangeSerializer(), 22);
            kryo.register(ExchangeRequest.class, new ExchangeRequestSerializer(), 23);
            kryo.register(ReadsGone.class, new ReadsGoneSerializer(), 24);
            return kryo;
        }
    };

    /**
     * @param message a {@link TxnRequest}, {@link TxnReply}, {@link ReadExchange}, {@link ExchangeRequest} or
     *                {@link ReadsGone}.
     * @return its bytes.
     */
    public byte[] encode(final Object message)
    {
        final Kryo kryo = kryos.obtain();
        try (Output output = new Output(256, -1))
        {
            kryo.writeClassAndObject(output, message);
            return output.toBytes();
        }
        finally
        {
            kryos.free(kryo);
        }
    }

    /**
     * @param bytes an encoded message.
     * @return the message.
     * @throws IllegalArgumentException if the bytes are not a well-formed message.
     */
    public Object decode(final byte[] bytes)
    {
        final Kryo kryo = kryos.obtain();
        try (Input input = new Input(bytes))
        {
            final Object message = kryo.readClassAndObject(input);
            if (input.position() != bytes.length)
            {
                throw new IllegalArgumentException("malformed message: " + (bytes.length - input.position()) +
                    " trailing bytes");
            }
            return message;
        }
        catch (final KryoException | IndexOutOfBoundsException | NegativeArraySizeException ex)
        {
            throw new IllegalArgumentException("malformed message: " + ex.getMessage(), ex);
        }
        finally
        {
            kryos.free(kryo);
        }
    }

    /**
     * @param bytes an encoded message.
     * @param type  the expected type.
     * @param <T>   the type.
     * @return the message.
     * @throws IllegalArgumentException if malformed or of another type.
     */
    public <T> T decode(final byte[] bytes, final Class<T> type)
    {
        final Object message = decode(bytes);
        if (!type.isInstance(message))
        {
            throw new IllegalArgumentException("expected " + type.getSimpleName() + " but got " +
                message.getClass().getSimpleName());
        }
        return type.cast(message);
    }

    static void writeBytes(final Output out, final byte[] bytes)
    {
        if (bytes == null)
        {
            out.writeVarInt(0, true);
        }
        else
        {
            out.writeVarInt(bytes.length + 1, true);
            out.writeBytes(bytes);
        }
    }

    static byte[] readBytes(final Input in)
    {
        final int n = in.readVarInt(true);
        if (n == 0)
        {
            return null;
        }
        final int length = n - 1;
        if (length < 0 || length > in.limit() - in.position())
        {
            throw new KryoException("byte array of " + length + " bytes but " + (in.limit() - in.position()) + " remain");
        }
        return in.readBytes(length);
    }

    static byte[] readNonNullBytes(final Input in)
    {
        final byte[] b = readBytes(in);
        if (b == null)
        {
            throw new KryoException("unexpected null byte array");
        }
        return b;
    }

    static int readCount(final Input in)
    {
        final int n = in.readVarInt(true);
        if (n < 0 || n > in.limit() - in.position())
        {
            throw new KryoException("count " + n + " exceeds the remaining " + (in.limit() - in.position()) + " bytes");
        }
        return n;
    }

    static void writeKeyValues(final Output out, final List<KeyValue> entries)
    {
        out.writeVarInt(entries.size(), true);
        for (final KeyValue kv : entries)
        {
            writeBytes(out, kv.key());
            writeBytes(out, kv.value());
        }
    }

    static List<KeyValue> readKeyValues(final Input in)
    {
        final int n = readCount(in);
        final List<KeyValue> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            entries.add(new KeyValue(readNonNullBytes(in), readBytes(in)));
        }
        return entries;
    }

    static void writeKeys(final Output out, final List<byte[]> keys)
    {
        out.writeVarInt(keys.size(), true);
        for (final byte[] k : keys)
        {
            writeBytes(out, k);
        }
    }

    static List<byte[]> readKeys(final Input in)
    {
        final int n = readCount(in);
        final List<byte[]> keys = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            keys.add(readNonNullBytes(in));
        }
        return keys;
    }

    static final class RequestSerializer extends Serializer<TxnRequest>
    {
        @Override
        public void write(final Kryo kryo, final Output out, final TxnRequest r)
        {
            out.writeVarInt(r.clientId(), true);
            out.writeLong(r.requestId());
            out.writeLong(r.settledBelow());
            out.writeVarInt(r.partitions().length, true);
            for (final int p : r.partitions())
            {
                out.writeVarInt(p, true);
            }
            final Transaction t = r.transaction();
            if (t.isCheckpoint())
            {
                out.writeByte(2);
                out.writeLong(t.checkpointId());
            }
            else if (t.isServeClients())
            {
                out.writeByte(3);
                out.writeVarInt(t.servedClients(), true);
            }
            else if (t.isProcedure())
            {
                out.writeByte(1);
                out.writeString(t.procedureName());
                writeBytes(out, t.procedureArguments());
                writeKeys(out, t.readKeys());
                writeKeys(out, t.writeKeys());
            }
            else
            {
                out.writeByte(0);
                out.writeVarInt(t.ops().size(), true);
                for (final Op op : t.ops())
                {
                    writeOp(out, op);
                }
            }
        }

        private static void writeOp(final Output out, final Op op)
        {
            if (op instanceof Op.Get g)
            {
                out.writeByte(OP_GET);
                writeBytes(out, g.key());
            }
            else if (op instanceof Op.Put p)
            {
                out.writeByte(OP_PUT);
                writeBytes(out, p.key());
                writeBytes(out, p.value());
            }
            else if (op instanceof Op.Delete d)
            {
                out.writeByte(OP_DELETE);
                writeBytes(out, d.key());
            }
            else if (op instanceof Op.CompareAndSet c)
            {
                out.writeByte(OP_CAS);
                writeBytes(out, c.key());
                writeBytes(out, c.expected());
                writeBytes(out, c.newValue());
            }
            else if (op instanceof Op.Increment i)
            {
                out.writeByte(OP_INCREMENT);
                writeBytes(out, i.key());
                out.writeLong(i.delta());
            }
            else if (op instanceof Op.Scan s)
            {
                out.writeByte(OP_SCAN);
                writeBytes(out, s.key());
                writeBytes(out, s.endExclusive());
                out.writeVarInt(s.limit(), true);
            }
            else
            {
                throw new IllegalArgumentException("unknown operation " + op);
            }
        }

        @Override
        public TxnRequest read(final Kryo kryo, final Input in, final Class<? extends TxnRequest> type)
        {
            final int clientId = in.readVarInt(true);
            final long requestId = in.readLong();
            final long settledBelow = in.readLong();
            final int count = readCount(in);
            final int[] partitions = new int[count];
            for (int i = 0; i < count; i++)
            {
                partitions[i] = in.readVarInt(true);
            }
            final int kind = in.readByte();
            final Transaction transaction;
            if (kind == 1)
            {
                final String name = in.readString();
                final byte[] arguments = readBytes(in);
                transaction = TransactionAccess.procedure(name, arguments, readKeys(in), readKeys(in));
            }
            else if (kind == 0)
            {
                final int n = readCount(in);
                final Transaction.Builder b = Transaction.builder();
                for (int i = 0; i < n; i++)
                {
                    b.op(readOp(in));
                }
                transaction = b.build();
            }
            else if (kind == 2)
            {
                final long id = in.readLong();
                if (id <= 0)
                {
                    throw new KryoException("checkpoint id " + id + " is not positive");
                }
                transaction = Transaction.checkpoint(id);
            }
            else if (kind == 3)
            {
                final int served = in.readVarInt(true);
                if (served <= 0)
                {
                    throw new KryoException("served client count " + served + " is not positive");
                }
                transaction = Transaction.serveClients(served);
            }
            else
            {
                throw new KryoException("unknown transaction kind " + kind);
            }
            return new TxnRequest(clientId, requestId, settledBelow, partitions, transaction);
        }

        private static Op readOp(final Input in)
        {
            final int code = in.readByte();
            return switch (code)
            {
                case OP_GET -> new Op.Get(readNonNullBytes(in));
                case OP_PUT -> new Op.Put(readNonNullBytes(in), readNonNullBytes(in));
                case OP_DELETE -> new Op.Delete(readNonNullBytes(in));
                case OP_CAS -> new Op.CompareAndSet(readNonNullBytes(in), readBytes(in), readBytes(in));
                case OP_INCREMENT -> new Op.Increment(readNonNullBytes(in), in.readLong());
                case OP_SCAN -> new Op.Scan(readNonNullBytes(in), readBytes(in), in.readVarInt(true));
                default -> throw new KryoException("unknown operation code " + code);
            };
        }
    }

    static final class ReplySerializer extends Serializer<TxnReply>
    {
        @Override
        public void write(final Kryo kryo, final Output out, final TxnReply r)
        {
            out.writeLong(r.requestId());
            out.writeVarInt(r.partition(), true);
            out.writeBoolean(r.committed());
            out.writeVarInt(r.reason() == null ? 0 : r.reason().ordinal() + 1, true);
            out.writeString(r.detail());
            out.writeVarInt(r.results().size(), true);
            for (final Result result : r.results())
            {
                if (result instanceof Result.None)
                {
                    out.writeByte(RESULT_NONE);
                }
                else if (result instanceof Result.Value v)
                {
                    out.writeByte(RESULT_VALUE);
                    writeBytes(out, v.value());
                }
                else if (result instanceof Result.Counter c)
                {
                    out.writeByte(RESULT_COUNTER);
                    out.writeLong(c.value());
                }
                else if (result instanceof Result.Entries e)
                {
                    out.writeByte(RESULT_ENTRIES);
                    writeKeyValues(out, e.entries());
                }
                else if (result instanceof Result.Output o)
                {
                    out.writeByte(RESULT_OUTPUT);
                    writeBytes(out, o.bytes());
                }
                else
                {
                    throw new IllegalArgumentException("unknown result " + result);
                }
            }
        }

        @Override
        public TxnReply read(final Kryo kryo, final Input in, final Class<? extends TxnReply> type)
        {
            final long requestId = in.readLong();
            final int partition = in.readVarInt(true);
            final boolean committed = in.readBoolean();
            final int reasonCode = in.readVarInt(true);
            if (reasonCode < 0 || reasonCode > ReasonCode.values().length)
            {
                throw new KryoException("unknown reason code " + reasonCode);
            }
            final ReasonCode reason = reasonCode == 0 ? null : ReasonCode.values()[reasonCode - 1];
            final String detail = in.readString();
            final int n = readCount(in);
            final List<Result> results = new ArrayList<>(n);
            for (int i = 0; i < n; i++)
            {
                final int tag = in.readByte();
                results.add(switch (tag)
                {
                    case RESULT_NONE -> new Result.None();
                    case RESULT_VALUE -> new Result.Value(readBytes(in));
                    case RESULT_COUNTER -> new Result.Counter(in.readLong());
                    case RESULT_ENTRIES -> new Result.Entries(readKeyValues(in));
                    case RESULT_OUTPUT -> new Result.Output(readNonNullBytes(in));
                    default -> throw new KryoException("unknown result tag " + tag);
                });
            }
            return new TxnReply(requestId, partition, committed, reason, detail == null ? "" : detail, results);
        }
    }

    static final class ExchangeSerializer extends Serializer<ReadExchange>
    {
        @Override
        public void write(final Kryo kryo, final Output out, final ReadExchange x)
        {
            out.writeLong(x.messageId());
            out.writeVarInt(x.fromPartition(), true);
            out.writeBoolean(x.oversize());
            writeKeyValues(out, x.reads());
            out.writeVarInt(x.scans().size(), true);
            for (final ReadExchange.ScanRead s : x.scans())
            {
                out.writeVarInt(s.scanIndex(), true);
                writeKeyValues(out, s.entries());
            }
        }

        @Override
        public ReadExchange read(final Kryo kryo, final Input in, final Class<? extends ReadExchange> type)
        {
            final long messageId = in.readLong();
            final int from = in.readVarInt(true);
            final boolean oversize = in.readBoolean();
            final List<KeyValue> reads = readKeyValues(in);
            final int n = readCount(in);
            final List<ReadExchange.ScanRead> scans = new ArrayList<>(n);
            for (int i = 0; i < n; i++)
            {
                scans.add(new ReadExchange.ScanRead(in.readVarInt(true), readKeyValues(in)));
            }
            return new ReadExchange(messageId, from, reads, scans, oversize);
        }
    }

    static final class ExchangeRequestSerializer extends Serializer<ExchangeRequest>
    {
        @Override
        public void write(final Kryo kryo, final Output out, final ExchangeRequest r)
        {
            out.writeLong(r.messageId());
            out.writeVarInt(r.fromPartition(), true);
            out.writeLong(r.timestamp());
            out.writeInt(r.group());
        }

        @Override
        public ExchangeRequest read(final Kryo kryo, final Input in, final Class<? extends ExchangeRequest> type)
        {
            return new ExchangeRequest(in.readLong(), in.readVarInt(true), in.readLong(), in.readInt());
        }
    }

    static final class ReadsGoneSerializer extends Serializer<ReadsGone>
    {
        @Override
        public void write(final Kryo kryo, final Output out, final ReadsGone g)
        {
            out.writeLong(g.messageId());
            out.writeVarInt(g.fromPartition(), true);
        }

        @Override
        public ReadsGone read(final Kryo kryo, final Input in, final Class<? extends ReadsGone> type)
        {
            return new ReadsGone(in.readLong(), in.readVarInt(true));
        }
    }
}
