package io.ramcast.bench.load;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ramcast.bench.etcd.EtcdClient;
import io.ramcast.txn.config.ClusterConfig;

import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What a {@code bench} run drives ({@code --target}), as its report describes it: this store's
 * cluster, or an etcd cluster. Immutable.
 */
sealed interface TargetSetup permits TargetSetup.Ramcast, TargetSetup.Etcd
{
    /** @return the {@code --target} name. */
    String name();

    /** @return how long a transaction may take before its outcome is unknown. */
    Duration requestTimeout();

    /**
     * @param clients          clients.
     * @param threadsPerClient worker threads per client.
     * @return the "workers" row of the setup.
     */
    String workers(int clients, int threadsPerClient);

    /**
     * Prints the target's rows of the setup.
     *
     * @param out where.
     */
    void print(PrintWriter out);

    /**
     * Adds the target's fields to the setup's JSON object.
     *
     * @param setup the object.
     */
    void toJson(ObjectNode setup);

    /**
     * This store's cluster.
     *
     * @param config        its config.
     * @param firstClientId the id of the first client; the others follow.
     */
    record Ramcast(ClusterConfig config, int firstClientId) implements TargetSetup
    {
        @Override
        public String name()
        {
            return "ramcast";
        }

        @Override
        public Duration requestTimeout()
        {
            return config.timeouts().requestTimeout();
        }

        @Override
        public String workers(final int clients, final int threadsPerClient)
        {
            return clients + " client(s), ids " + firstClientId + ".." + (firstClientId + clients - 1) + ", x " +
                threadsPerClient + " thread(s) = " + clients * threadsPerClient + " closed-loop workers";
        }

        @Override
        public void print(final PrintWriter out)
        {
            BenchReport.row(out, "cluster", config.clusterName() + " (" + config.source() + "): " +
                config.partitionCount() + " partitions, " + config.allReplicas().size() + " replicas, fabric " +
                config.fabric().configName() + ", " + config.partitioner() + ", durability " +
                config.durability().configName());
            BenchReport.row(out, "client", "window " + config.buffers().clientWindow() + " in flight, request timeout " +
                config.timeouts().requestTimeoutMs() + " ms");
        }

        @Override
        public void toJson(final ObjectNode setup)
        {
            setup.put("target", name()).put("firstClientId", firstClientId);
            setup.putObject("cluster").put("name", config.clusterName()).put("source", config.source())
                .put("fabric", config.fabric().configName()).put("partitions", config.partitionCount())
                .put("replicas", config.allReplicas().size()).put("partitioner", config.partitioner().toString())
                .put("durability", config.durability().configName())
                .put("clientWindow", config.buffers().clientWindow())
                .put("requestTimeoutMs", config.timeouts().requestTimeoutMs());
        }
    }

    /**
     * An etcd cluster, through its v3 JSON gateway.
     *
     * @param endpoints      its members' client URLs; client {@code i} is pinned to endpoint {@code i mod n}.
     * @param versions       what each endpoint said its version is, in endpoint order.
     * @param requestTimeout how long a request may take before its outcome is unknown.
     */
    record Etcd(List<URI> endpoints, List<EtcdClient.Version> versions, Duration requestTimeout)
        implements TargetSetup
    {
        public Etcd
        {
            endpoints = List.copyOf(endpoints);
            versions = List.copyOf(versions);
        }

        @Override
        public String name()
        {
            return "etcd";
        }

        @Override
        public String workers(final int clients, final int threadsPerClient)
        {
            return clients + " client(s), client i pinned to endpoint i mod " + endpoints.size() + ", x " +
                threadsPerClient + " thread(s) = " + clients * threadsPerClient + " closed-loop workers";
        }

        @Override
        public void print(final PrintWriter out)
        {
            BenchReport.row(out, "etcd", endpoints.size() + " endpoint(s): " + endpoints.stream().map(URI::toString)
                .collect(Collectors.joining(", ")) + "; version " + versionText());
            BenchReport.row(out, "client", "v3 JSON gateway over HTTP/1.1, one keep-alive connection per worker, " +
                "request timeout " + requestTimeout.toMillis() + " ms");
        }

        @Override
        public void toJson(final ObjectNode setup)
        {
            setup.put("target", name());
            final ObjectNode etcd = setup.putObject("etcd");
            final ArrayNode urls = etcd.putArray("endpoints");
            endpoints.forEach(u -> urls.add(u.toString()));
            final ArrayNode serverVersions = etcd.putArray("versions");
            versions.forEach(v -> serverVersions.addObject().put("server", v.server()).put("cluster", v.cluster()));
            etcd.put("pinning", "round-robin").put("requestTimeoutMs", requestTimeout.toMillis());
        }

        private String versionText()
        {
            final List<String> distinct = versions.stream().map(EtcdClient.Version::toString).distinct().toList();
            return distinct.size() == 1 ? distinct.get(0) :
                String.join(", ", distinct) + " (the members differ)";
        }
    }
}
