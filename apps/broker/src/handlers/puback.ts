import type { Connection } from '../connection/connection.js';
import type { PubackPacket, PubcompPacket } from '../protocol/packets.js';
import { traceAck } from '../tracing/hooks.js';

/** PUBACK ends an outbound QoS 1 delivery and frees a slot of the in-flight window. */
export function handlePuback(connection: Connection, packet: PubackPacket): void {
  const id = packet.messageId ?? 0;
  if (connection.ctx.tracer.active) traceAck(connection, 'puback', id, packet.reasonCode);
  if (!connection.session?.complete(id, 'publish')) {
    connection.ctx.log.debug({ client: connection.label, packetId: id }, 'PUBACK for an unknown packet identifier');
  }
}

/** PUBCOMP ends an outbound QoS 2 delivery. */
export function handlePubcomp(connection: Connection, packet: PubcompPacket): void {
  const id = packet.messageId ?? 0;
  if (connection.ctx.tracer.active) traceAck(connection, 'pubcomp', id, packet.reasonCode);
  if (!connection.session?.complete(id, 'pubrel')) {
    connection.ctx.log.debug({ client: connection.label, packetId: id }, 'PUBCOMP for an unknown packet identifier');
  }
}
