import type { Connection } from '../connection/connection.js';
import { brokerError } from '../errors.js';
import type { AuthPacket } from '../protocol/packets.js';

/**
 * MQTT 5 enhanced authentication is not offered (CONNECT with an Authentication Method is
 * refused with 0x8C, [MQTT-4.12.0-1]), so an AUTH packet is a protocol error (3.15).
 */
export function handleAuth(_connection: Connection, _packet: AuthPacket): void {
  throw brokerError('BROKER_ERR_PROTOCOL', 'AUTH without an authentication method');
}
