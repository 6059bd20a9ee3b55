/**
 * RamCast atomic multicast over a memory fabric: {@link io.ramcast.multicast.RamcastServer} delivers,
 * in one agreed acyclic order, every message that {@link io.ramcast.multicast.RamcastClient}s
 * multicast to its group (ramcast-protocol.md Tasks 1–6 with hardenings H1 and H2).
 *
 * <p>Public: the topology, options, server and client, and {@link io.ramcast.multicast.Ballots} to
 * render or decode a ballot a server reports. The protocol state machines
 * ({@code ServerProtocol}, {@code ClientProtocol}), the memory layouts ({@code Layout}) and the
 * agent are package-private.
 */
package io.ramcast.multicast;
