package io.ramcast.bench.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ramcast.client.TxnOutcome;
import io.ramcast.txn.ReasonCode;
import io.ramcast.txn.Result;
import io.ramcast.txn.Transaction;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The etcd target's JSON, without a server: requests carry keys and values base64-encoded in the
 * shapes of etcd's v3 gateway, compare-and-set becomes a txn comparison plus a put in the success
 * branch, and answers (taken from etcd 3.4.23's gateway) map to the outcomes this store's client
 * gives: a value per get, a failed comparison as not committed, errors by their gRPC code.
 */
class EtcdCodecTest
{
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String HEADER = "\"header\":{\"cluster_id\":\"324952591200643719\"," +
        "\"member_id\":\"3319814642761637952\",\"revision\":\"3\",\"raft_term\":\"2\"}";

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String b64(final String s)
    {
        return Base64.getEncoder().encodeToString(bytes(s));
    }

    private static JsonNode body(final EtcdCodec.Call call) throws Exception
    {
        return MAPPER.readTree(call.body());
    }

    private static TxnOutcome decode(final EtcdCodec.Call call, final int status, final String answer)
    {
        return EtcdCodec.decode(call, 42, status, bytes(answer));
    }

    @Test
    void shouldSendOneGetAsARangeRequestWithABase64Key() throws Exception
    {
        final EtcdCodec.Call call = EtcdCodec.encode(Transaction.builder().get(bytes("foo")).build());

        assertThat(call.path()).isEqualTo("/v3/kv/range");
        assertThat(body(call)).isEqualTo(MAPPER.readTree("{\"key\":\"Zm9v\"}"));
    }

    @Test
    void shouldSendOnePutAsAPutRequestWithBase64KeyAndValue() throws Exception
    {
        final byte[] value = {0, (byte)0xff, '+', '/', 0x7f};
        final EtcdCodec.Call call = EtcdCodec.encode(Transaction.builder().put(bytes("k"), value).build());

        assertThat(call.path()).isEqualTo("/v3/kv/put");
        final JsonNode json = body(call);
        assertThat(json.get("key").asText()).isEqualTo("aw==");
        assertThat(Base64.getDecoder().decode(json.get("value").asText())).isEqualTo(value);
    }

    @Test
    void shouldSendThreePutsAsATxnWithoutComparisons() throws Exception
    {
        final EtcdCodec.Call call = EtcdCodec.encode(Transaction.builder().put(bytes("a"), bytes("1"))
            .put(bytes("b"), bytes("2")).put(bytes("c"), bytes("3")).build());

        assertThat(call.path()).isEqualTo("/v3/kv/txn");
        assertThat(body(call)).isEqualTo(MAPPER.readTree("{\"compare\":[],\"success\":[" +
            "{\"request_put\":{\"key\":\"" + b64("a") + "\",\"value\":\"" + b64("1") + "\"}}," +
            "{\"request_put\":{\"key\":\"" + b64("b") + "\",\"value\":\"" + b64("2") + "\"}}," +
            "{\"request_put\":{\"key\":\"" + b64("c") + "\",\"value\":\"" + b64("3") + "\"}}],\"failure\":[]}"));
    }

    @Test
    void shouldTurnACompareAndSetIntoAValueComparisonAndAPutOnSuccess() throws Exception
    {
        final EtcdCodec.Call call = EtcdCodec.encode(Transaction.builder()
            .compareAndSet(bytes("a"), bytes("old"), bytes("new")).put(bytes("b"), bytes("x"))
            .put(bytes("c"), bytes("y")).build());

        assertThat(body(call)).isEqualTo(MAPPER.readTree("{\"compare\":[" +
            "{\"key\":\"" + b64("a") + "\",\"target\":\"VALUE\",\"result\":\"EQUAL\",\"value\":\"" + b64("old") + "\"}]," +
            "\"success\":[" +
            "{\"request_put\":{\"key\":\"" + b64("a") + "\",\"value\":\"" + b64("new") + "\"}}," +
            "{\"request_put\":{\"key\":\"" + b64("b") + "\",\"value\":\"" + b64("x") + "\"}}," +
            "{\"request_put\":{\"key\":\"" + b64("c") + "\",\"value\":\"" + b64("y") + "\"}}],\"failure\":[]}"));
    }

    @Test
    void shouldCompareAnAbsentKeyByVersionZeroAndDeleteForAnAbsentNewValue() throws Exception
    {
        final JsonNode absentExpected = body(EtcdCodec.encode(Transaction.builder()
            .compareAndSet(bytes("a"), null, bytes("v")).get(bytes("b")).build()));
        final JsonNode deleting = body(EtcdCodec.encode(Transaction.builder()
            .compareAndSet(bytes("a"), bytes("v"), null).delete(bytes("b")).build()));

        assertThat(absentExpected.get("compare")).isEqualTo(MAPPER.readTree(
            "[{\"key\":\"" + b64("a") + "\",\"target\":\"VERSION\",\"result\":\"EQUAL\",\"version\":\"0\"}]"));
        assertThat(absentExpected.get("success").get(1)).isEqualTo(MAPPER.readTree(
            "{\"request_range\":{\"key\":\"" + b64("b") + "\"}}"));
        assertThat(deleting.get("success")).isEqualTo(MAPPER.readTree(
            "[{\"request_delete_range\":{\"key\":\"" + b64("a") + "\"}}," +
            "{\"request_delete_range\":{\"key\":\"" + b64("b") + "\"}}]"));
    }

    @Test
    void shouldRefuseWhatEtcdWouldRunDifferentlyOrNotAtAll()
    {
        assertThatThrownBy(() -> EtcdCodec.encode(Transaction.builder().increment(bytes("n"), 1).get(bytes("m")).build()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Increment");
        assertThatThrownBy(() -> EtcdCodec.encode(Transaction.builder().scan(bytes("a"), bytes("b"), 10).build()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Scan");
        assertThatThrownBy(() -> EtcdCodec.encode(Transaction.procedure("bank.transfer", new byte[0])
            .writes(bytes("a")).build()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("procedure calls (bank.transfer)");
        assertThatThrownBy(() -> EtcdCodec.encode(Transaction.builder().put(bytes("a"), bytes("1"))
            .put(bytes("a"), bytes("2")).build()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("writes a key twice: a");
        assertThatThrownBy(() -> EtcdCodec.encode(Transaction.builder().put(bytes("a"), bytes("1"))
            .compareAndSet(bytes("a"), bytes("1"), bytes("2")).build()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("compares before any operation runs");
    }

    @Test
    void shouldReadTheValueOfARangeAnswerAndNullWithoutEntries()
    {
        final EtcdCodec.Call get = EtcdCodec.encode(Transaction.builder().get(bytes("foo")).build());

        final TxnOutcome found = decode(get, 200, "{" + HEADER + ",\"kvs\":[{\"key\":\"Zm9v\",\"create_revision\":\"2\"," +
            "\"mod_revision\":\"2\",\"version\":\"1\",\"value\":\"YmFy\"}],\"count\":\"1\"}");
        final TxnOutcome absent = decode(get, 200, "{" + HEADER + "}");
        final TxnOutcome empty = decode(get, 200, "{" + HEADER + ",\"kvs\":[{\"key\":\"Zm9v\",\"create_revision\":\"2\"," +
            "\"mod_revision\":\"2\",\"version\":\"1\"}],\"count\":\"1\"}");

        assertThat(value(found, 0)).isEqualTo(bytes("bar"));
        assertThat(value(absent, 0)).isNull();
        assertThat(value(empty, 0)).isEmpty();
        assertThat(found.requestId()).isEqualTo(42);
    }

    @Test
    void shouldCommitASucceededTxnWithAValuePerGetInOperationOrder()
    {
        final EtcdCodec.Call call = EtcdCodec.encode(Transaction.builder()
            .compareAndSet(bytes("foo"), bytes("bar"), bytes("baz")).get(bytes("foo")).build());

        final TxnOutcome outcome = decode(call, 200, "{" + HEADER + ",\"succeeded\":true,\"responses\":[" +
            "{\"response_put\":{\"header\":{\"revision\":\"3\"}}}," +
            "{\"response_range\":{\"header\":{\"revision\":\"3\"},\"kvs\":[{\"key\":\"Zm9v\",\"create_revision\":\"2\"," +
            "\"mod_revision\":\"3\",\"version\":\"2\",\"value\":\"YmF6\"}],\"count\":\"1\"}}]}");

        assertThat(outcome).isInstanceOf(TxnOutcome.Committed.class);
        assertThat(((TxnOutcome.Committed)outcome).results().get(0)).isInstanceOf(Result.None.class);
        assertThat(value(outcome, 1)).isEqualTo(bytes("baz"));
    }

    @Test
    void shouldReportATxnWithoutSucceededAsAFailedCondition()
    {
        final EtcdCodec.Call call = EtcdCodec.encode(Transaction.builder()
            .compareAndSet(bytes("foo"), bytes("bar"), bytes("baz")).put(bytes("x"), bytes("y")).build());

        // The gateway leaves out "succeeded": false, as protobuf's JSON mapping does with defaults.
        final TxnOutcome outcome = decode(call, 200, "{" + HEADER + "}");

        assertThat(outcome).isInstanceOf(TxnOutcome.NotCommitted.class);
        assertThat(((TxnOutcome.NotCommitted)outcome).reason()).isEqualTo(ReasonCode.CONDITION_FAILED);
    }

    @Test
    void shouldMapErrorsByTheirGrpcCode()
    {
        final EtcdCodec.Call call = EtcdCodec.encode(Transaction.builder().put(bytes("a"), bytes("1"))
            .put(bytes("b"), bytes("2")).build());

        final TxnOutcome noLeader = decode(call, 503,
            "{\"error\":\"etcdserver: no leader\",\"message\":\"etcdserver: no leader\",\"code\":14}");
        final TxnOutcome timedOut = decode(call, 504,
            "{\"error\":\"etcdserver: request timed out\",\"message\":\"etcdserver: request timed out\",\"code\":4}");
        final TxnOutcome tooMany = decode(call, 400, "{\"error\":\"etcdserver: too many operations in txn request\"," +
            "\"message\":\"etcdserver: too many operations in txn request\",\"code\":3}");
        final TxnOutcome duplicate = decode(call, 400, "{\"error\":\"etcdserver: duplicate key given in txn request\"," +
            "\"message\":\"etcdserver: duplicate key given in txn request\",\"code\":3}");

        assertThat(noLeader).isInstanceOf(TxnOutcome.Unknown.class);
        assertThat(((TxnOutcome.Unknown)noLeader).cause()).contains("no leader", "gRPC code 14", "HTTP 503");
        assertThat(timedOut).isInstanceOf(TxnOutcome.Unknown.class);
        assertThat(((TxnOutcome.NotCommitted)tooMany).reason()).isEqualTo(ReasonCode.LIMIT_EXCEEDED);
        assertThat(((TxnOutcome.NotCommitted)duplicate).reason()).isEqualTo(ReasonCode.INVALID);
        assertThatThrownBy(() -> decode(call, 401, "{\"error\":\"etcdserver: user name is empty\"," +
            "\"message\":\"etcdserver: user name is empty\",\"code\":16}"))
            .isInstanceOf(EtcdException.class).hasMessageContaining("user name is empty");
    }

    @Test
    void shouldRefuseAnswersThatAreNoOutcomeOfTheRequest()
    {
        final EtcdCodec.Call call = EtcdCodec.encode(Transaction.builder().put(bytes("a"), bytes("1"))
            .put(bytes("b"), bytes("2")).build());

        assertThatThrownBy(() -> decode(call, 404, "404 page not found"))
            .isInstanceOf(EtcdException.class).hasMessageContaining("etcd's v3 gateway")
            .hasMessageContaining("404 page not found");
        assertThatThrownBy(() -> decode(call, 500, "<html>"))
            .isInstanceOf(EtcdException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> decode(call, 502, "{\"oops\":1}"))
            .isInstanceOf(EtcdException.class).hasMessageContaining("without a gRPC status code");
        assertThatThrownBy(() -> decode(call, 200, "{" + HEADER + ",\"succeeded\":true,\"responses\":[" +
            "{\"response_put\":{\"header\":{\"revision\":\"3\"}}}]}"))
            .isInstanceOf(EtcdException.class).hasMessageContaining("2 operations with 1 responses");
        assertThatThrownBy(() -> decode(EtcdCodec.encode(Transaction.builder().get(bytes("a")).build()), 200,
            "{\"kvs\":[{\"key\":\"YQ==\",\"value\":\"not base64!\"}]}"))
            .isInstanceOf(EtcdException.class).hasMessageContaining("not base64");
    }

    private static byte[] value(final TxnOutcome outcome, final int index)
    {
        assertThat(outcome).isInstanceOf(TxnOutcome.Committed.class);
        final List<Result> results = ((TxnOutcome.Committed)outcome).results();
        return ((Result.Value)results.get(index)).value();
    }
}
