import type { Connection } from '../connection/connection.js';
import { pubrel, type PubrecPacket } from '../protocol/packets.js';
import { ReasonCode } from '../protocol/reason-codes.js';
import { traceAck } from '../tracing/hooks.js';

/** PUBREC for an outbound QoS 2 delivery: answer PUBREL ([MQTT-4.3.3-4]). */
export function handlePubrec(connection: Connection, packet: PubrecPacket): void {
  const id = packet.messageId ?? 0;
  const failed = (packet.reasonCode ?? 0) >= 0x80;
  if (connection.ctx.tracer.active) traceAck(connection, 'pubrec', id, packet.reasonCode);
  const durable = connection.ctx.durable;
  const mark = durable?.mark() ?? 0;
  const known = connection.session?.received(id, failed) ?? false;
  if (failed) return; // a PUBREC with an error reason code ends the flow (4.3.3).
  if (!known) {
    connection.send(pubrel(id, connection.protocolVersion === 5 ? ReasonCode.PacketIdentifierNotFound : 0));
    return;
  }
  // The 'pubrel' state is committed before PUBREL: after a crash the delivery resumes with
  // PUBREL, never with a second PUBLISH the client would take for a new message.
  connection.afterCommit(durable?.commitSince(mark), () => connection.send(pubrel(id)));
}
