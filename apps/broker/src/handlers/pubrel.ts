import type { Connection } from '../connection/connection.js';
import { pubcomp, type PubrelPacket } from '../protocol/packets.js';
import { ReasonCode } from '../protocol/reason-codes.js';
import { tracePubrel } from '../tracing/hooks.js';

/** PUBREL for an inbound QoS 2 message: release its packet identifier, answer PUBCOMP ([MQTT-4.3.3-11]). */
export function handlePubrel(connection: Connection, packet: PubrelPacket): void {
  const id = packet.messageId ?? 0;
  if (connection.ctx.tracer.active) tracePubrel(connection, id);
  const session = connection.session;
  const durable = connection.ctx.durable;
  const mark = durable?.mark() ?? 0;
  const known = session?.inboundQos2.delete(id) ?? false;
  if (known && session) durable?.inboundQos2Removed(session, id);
  // The release is committed before PUBCOMP: the client may reuse the packet identifier after
  // PUBCOMP, and a restored stale identifier would swallow its next message.
  const code = known || connection.protocolVersion !== 5 ? 0 : ReasonCode.PacketIdentifierNotFound;
  connection.afterCommit(durable?.commitSince(mark), () => connection.send(pubcomp(id, code)));
}
