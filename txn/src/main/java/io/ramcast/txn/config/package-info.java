/**
 * The cluster config file: one YAML file that describes a deployment (partitions and their
 * replicas with host and port, clients, fabric, partitioner, storage, buffer sizes, limits,
 * timeouts), read by every process of the deployment.
 *
 * <p>Entry point: {@link io.ramcast.txn.config.ClusterConfig#load(java.nio.file.Path)}, which
 * validates the whole file before anything opens a socket or a store and reports a bad file as a
 * {@link io.ramcast.txn.config.ConfigException} naming the file, the field path, the value and
 * the rule. The format is documented in {@code config/local.yaml}. The two partitioners the file
 * can choose, {@link io.ramcast.txn.config.HashPartitioner} and
 * {@link io.ramcast.txn.config.RangePartitioner}, implement {@link io.ramcast.txn.Partitioner}.
 */
package io.ramcast.txn.config;
