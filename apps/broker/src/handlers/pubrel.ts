import type { Connection } from '../connection/connection.js';
import { pubcomp, type PubrelPacket } from '../protocol/packets.js';
import { ReasonCode } from '../protocol/reason-codes.js';

/** PUBREL for an inbound QoS 2 message: release its packet identifier, answer PUBCOMP ([MQTT-4.3.3-11]). */
export function handlePubrel(connection: Connection, packet: PubrelPacket): void {
  const id = packet.messageId ?? 0;
  const known = connection.session?.inboundQos2.delete(id) ?? false;
  connection.send(pubcomp(id, known || connection.protocolVersion !== 5 ? 0 : ReasonCode.PacketIdentifierNotFound));
}
