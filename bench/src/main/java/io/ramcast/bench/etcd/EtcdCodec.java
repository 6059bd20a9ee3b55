package io.ramcast.bench.etcd;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ramcast.client.TxnOutcome;
import io.ramcast.txn.Op;
import io.ramcast.txn.ReasonCode;
import io.ramcast.txn.Result;
import io.ramcast.txn.Transaction;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Translates a transaction into one request of etcd's v3 JSON gateway and the answer back into a
 * {@link TxnOutcome}. Keys and values travel base64-encoded (standard alphabet, padded), as the
 * gateway's JSON mapping of protobuf {@code bytes} requires.
 *
 * <h2>Requests</h2>
 * <pre>
 * one get             POST /v3/kv/range  {"key": K}
 * one put             POST /v3/kv/put    {"key": K, "value": V}
 * anything else       POST /v3/kv/txn    {"compare": [C...], "success": [R...], "failure": []}
 *   compare-and-set(K, E, N)  C = {"key": K, "target": "VALUE", "result": "EQUAL", "value": E}
 *                                 or, E absent, {"key": K, "target": "VERSION", "result": "EQUAL", "version": "0"}
 *                             R = {"request_put": {"key": K, "value": N}}, or, N absent,
 *                                 {"request_delete_range": {"key": K}}
 *   get(K)                    R = {"request_range": {"key": K}}
 *   put(K, V)                 R = {"request_put": {"key": K, "value": V}}
 *   delete(K)                 R = {"request_delete_range": {"key": K}}
 * </pre>
 * etcd evaluates every comparison before any operation runs, while this store runs a
 * compare-and-set at its place in the operation list; the two agree when no earlier operation of
 * the transaction wrote the compared key, so such a transaction is refused, as are increments,
 * scans, procedure calls and a key written twice (etcd refuses that itself).
 *
 * <h2>Answers</h2>
 * Range and put answers, and a txn answer with {@code "succeeded": true}, are
 * {@link TxnOutcome.Committed}, with a {@link Result.Value} per get (the first of
 * {@code kvs[].value}, null without {@code kvs}) and {@link Result.None} for the others. A txn answer
 * without {@code "succeeded"} (the gateway leaves out false, as protobuf's JSON mapping does with
 * default values) failed its comparison: {@link TxnOutcome.NotCommitted} with
 * {@link ReasonCode#CONDITION_FAILED}. An error answer {@code {"error", "code", "message"}} maps by
 * its gRPC code ({@link #errorOutcome}).
 *
 * <p>Stateless; every method is thread-safe.
 */
final class EtcdCodec
{
    /** Path of a range request. */
    static final String RANGE_PATH = "/v3/kv/range";
    /** Path of a put request. */
    static final String PUT_PATH = "/v3/kv/put";
    /** Path of a txn request. */
    static final String TXN_PATH = "/v3/kv/txn";

    /** gRPC status codes that say the request was refused before anything was applied. */
    private static final int INVALID_ARGUMENT = 3;
    private static final int FAILED_PRECONDITION = 9;
    private static final int OUT_OF_RANGE = 11;
    /** gRPC status codes that say this driver cannot talk to the server at all. */
    private static final int NOT_FOUND = 5;
    private static final int PERMISSION_DENIED = 7;
    private static final int UNIMPLEMENTED = 12;
    private static final int UNAUTHENTICATED = 16;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private EtcdCodec()
    {
    }

    /**
     * One request to send.
     *
     * @param path the gateway path ({@link #RANGE_PATH}, {@link #PUT_PATH} or {@link #TXN_PATH}).
     * @param body the JSON body, UTF-8.
     * @param ops  the transaction's operations, to map the answer back.
     */
    record Call(String path, byte[] body, List<Op> ops)
    {
        /** @return the body as text (tests, messages). */
        String bodyText()
        {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /**
     * @param transaction an operation list of gets, puts, deletes and compare-and-sets.
     * @return the request that performs it.
     * @throws IllegalArgumentException if etcd cannot perform it as this store would (see the class comment).
     */
    static Call encode(final Transaction transaction)
    {
        if (transaction.isProcedure())
        {
            throw new IllegalArgumentException("the etcd target runs operation lists, not procedure calls (" +
                transaction.procedureName() + ")");
        }
        final List<Op> ops = transaction.ops();
        if (ops.size() == 1 && ops.get(0) instanceof Op.Get get)
        {
            return new Call(RANGE_PATH, write(MAPPER.createObjectNode().put("key", base64(get.key()))), ops);
        }
        if (ops.size() == 1 && ops.get(0) instanceof Op.Put put)
        {
            return new Call(PUT_PATH, write(keyValue(MAPPER.createObjectNode(), put.key(), put.value())), ops);
        }
        final ObjectNode txn = MAPPER.createObjectNode();
        final ArrayNode compare = txn.putArray("compare");
        final ArrayNode success = txn.putArray("success");
        txn.putArray("failure");
        final List<byte[]> written = new ArrayList<>();
        for (final Op op : ops)
        {
            if (op instanceof Op.Get get)
            {
                success.addObject().putObject("request_range").put("key", base64(get.key()));
            }
            else if (op instanceof Op.Put put)
            {
                keyValue(success.addObject().putObject("request_put"), put.key(), put.value());
            }
            else if (op instanceof Op.Delete delete)
            {
                success.addObject().putObject("request_delete_range").put("key", base64(delete.key()));
            }
            else if (op instanceof Op.CompareAndSet cas)
            {
                if (contains(written, cas.key()))
                {
                    throw new IllegalArgumentException("the etcd target cannot compare a key an earlier operation of " +
                        "the same transaction wrote (etcd compares before any operation runs): " + printable(cas.key()));
                }
                final ObjectNode c = compare.addObject().put("key", base64(cas.key()));
                if (cas.expected() == null)
                {
                    c.put("target", "VERSION").put("result", "EQUAL").put("version", "0");
                }
                else
                {
                    c.put("target", "VALUE").put("result", "EQUAL").put("value", base64(cas.expected()));
                }
                if (cas.newValue() == null)
                {
                    success.addObject().putObject("request_delete_range").put("key", base64(cas.key()));
                }
                else
                {
                    keyValue(success.addObject().putObject("request_put"), cas.key(), cas.newValue());
                }
            }
            else
            {
                throw new IllegalArgumentException("the etcd target cannot run " + op.getClass().getSimpleName() +
                    " operations; it runs get, put, delete and compare-and-set");
            }
            if (!(op instanceof Op.Get))
            {
                if (contains(written, op.key()))
                {
                    throw new IllegalArgumentException("etcd refuses a transaction that writes a key twice: " +
                        printable(op.key()));
                }
                written.add(op.key());
            }
        }
        return new Call(TXN_PATH, write(txn), ops);
    }

    /**
     * Maps an answer of the gateway to the outcome of the call's transaction.
     *
     * @param call      the call answered.
     * @param requestId the id to give the outcome (the driver's count of its requests).
     * @param status    the HTTP status.
     * @param body      the answer's body.
     * @return the outcome.
     * @throws EtcdException if the answer is not one the gateway gives to this request, or says that
     *                       this driver cannot work with the server (see {@link #errorOutcome}).
     */
    static TxnOutcome decode(final Call call, final long requestId, final int status, final byte[] body)
    {
        final JsonNode json;
        try
        {
            json = MAPPER.readTree(body);
        }
        catch (final IOException ex)
        {
            throw new EtcdException("HTTP " + status + " to " + call.path() + " with a body that is not JSON (is this " +
                "etcd's v3 gateway?): " + excerpt(body), ex);
        }
        if (json == null || !json.isObject())
        {
            throw new EtcdException("HTTP " + status + " to " + call.path() + " with a body that is not a JSON object " +
                "(is this etcd's v3 gateway?): " + excerpt(body));
        }
        if (status != 200)
        {
            return errorOutcome(requestId, status, json);
        }
        return switch (call.path())
        {
            case RANGE_PATH -> new TxnOutcome.Committed(requestId, List.of(new Result.Value(firstValue(json))));
            case PUT_PATH -> new TxnOutcome.Committed(requestId, List.of(new Result.None()));
            default -> txnOutcome(call, requestId, json);
        };
    }

    /**
     * The outcome of an error answer, by its gRPC status code: InvalidArgument, FailedPrecondition
     * and OutOfRange were refused before anything applied ({@link TxnOutcome.NotCommitted},
     * {@link ReasonCode#LIMIT_EXCEEDED} when etcd says a request is too large or has too many
     * operations, {@link ReasonCode#INVALID} otherwise); NotFound, PermissionDenied, Unimplemented
     * and Unauthenticated mean this driver cannot work with the server ({@link EtcdException}); any
     * other code (Unavailable, DeadlineExceeded, Canceled, ResourceExhausted, Unknown, ...) may or
     * may not have applied ({@link TxnOutcome.Unknown}).
     *
     * @param requestId the outcome's id.
     * @param status    the HTTP status.
     * @param error     the answer, {@code {"error": ..., "code": n, "message": ...}}.
     * @return the outcome.
     * @throws EtcdException for the codes that stop the driver, or an answer without a code.
     */
    static TxnOutcome errorOutcome(final long requestId, final int status, final JsonNode error)
    {
        final JsonNode codeNode = error.get("code");
        final String message = error.path("message").asText(error.path("error").asText(""));
        if (codeNode == null || !codeNode.canConvertToInt())
        {
            throw new EtcdException("HTTP " + status + " without a gRPC status code (is this etcd's v3 gateway?): " +
                error);
        }
        final int code = codeNode.asInt();
        final String detail = "etcd: " + message + " (gRPC code " + code + ", HTTP " + status + ")";
        return switch (code)
        {
            case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE ->
            {
                final String lower = message.toLowerCase(Locale.ROOT);
                final ReasonCode reason = lower.contains("too large") || lower.contains("too many") ?
                    ReasonCode.LIMIT_EXCEEDED : ReasonCode.INVALID;
                yield new TxnOutcome.NotCommitted(requestId, reason, detail);
            }
            case NOT_FOUND, PERMISSION_DENIED, UNIMPLEMENTED, UNAUTHENTICATED -> throw new EtcdException(detail);
            default -> new TxnOutcome.Unknown(requestId, detail);
        };
    }

    private static TxnOutcome txnOutcome(final Call call, final long requestId, final JsonNode json)
    {
        if (!json.path("succeeded").asBoolean(false))
        {
            return new TxnOutcome.NotCommitted(requestId, ReasonCode.CONDITION_FAILED,
                "etcd: a comparison of the txn failed");
        }
        final JsonNode responses = json.path("responses");
        if (!responses.isArray() || responses.size() != call.ops().size())
        {
            throw new EtcdException("etcd answered a txn of " + call.ops().size() + " operations with " +
                (responses.isArray() ? responses.size() : 0) + " responses: " + json);
        }
        final List<Result> results = new ArrayList<>(call.ops().size());
        for (int i = 0; i < call.ops().size(); i++)
        {
            if (call.ops().get(i) instanceof Op.Get)
            {
                final JsonNode range = responses.get(i).get("response_range");
                if (range == null)
                {
                    throw new EtcdException("etcd answered the get at position " + i + " of a txn without a " +
                        "response_range: " + responses.get(i));
                }
                results.add(new Result.Value(firstValue(range)));
            }
            else
            {
                results.add(new Result.None());
            }
        }
        return new TxnOutcome.Committed(requestId, results);
    }

    /**
     * @param range a range answer, {@code {"kvs": [{"key", "value", ...}], "count"}}.
     * @return the value of its first entry (empty if the entry has none: protobuf's JSON leaves out
     *         empty bytes), or null without entries.
     */
    static byte[] firstValue(final JsonNode range)
    {
        final JsonNode kvs = range.get("kvs");
        if (kvs == null || !kvs.isArray() || kvs.isEmpty())
        {
            return null;
        }
        final JsonNode value = kvs.get(0).get("value");
        return value == null ? new byte[0] : fromBase64(value.asText());
    }

    /**
     * @param bytes bytes.
     * @return their base64 text (standard alphabet, padded).
     */
    static String base64(final byte[] bytes)
    {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /**
     * @param text base64 text, standard alphabet.
     * @return its bytes.
     * @throws EtcdException if it is not base64.
     */
    static byte[] fromBase64(final String text)
    {
        try
        {
            return Base64.getDecoder().decode(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new EtcdException("etcd answered a value that is not base64: " + text, ex);
        }
    }

    private static ObjectNode keyValue(final ObjectNode node, final byte[] key, final byte[] value)
    {
        return node.put("key", base64(key)).put("value", base64(value));
    }

    private static boolean contains(final List<byte[]> keys, final byte[] key)
    {
        for (final byte[] k : keys)
        {
            if (Arrays.equals(k, key))
            {
                return true;
            }
        }
        return false;
    }

    private static byte[] write(final ObjectNode node)
    {
        try
        {
            return MAPPER.writeValueAsBytes(node);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException("a JSON tree of strings cannot fail to serialise", ex);
        }
    }

    private static String printable(final byte[] key)
    {
        return new String(key, StandardCharsets.UTF_8);
    }

    private static String excerpt(final byte[] body)
    {
        final String text = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8);
        return body.length > 200 ? text + "..." : text;
    }
}
