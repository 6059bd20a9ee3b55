/**
 * The etcd target of {@code bench}: runs this store's transactions against an etcd 3.4 cluster
 * through its v3 JSON gateway, so that one driver, one operation generator and one report measure
 * both systems. {@link io.ramcast.bench.etcd.EtcdClient} is a client of one member;
 * {@code EtcdCodec} maps transactions to range, put and txn requests and the answers back to typed
 * outcomes.
 */
package io.ramcast.bench.etcd;
