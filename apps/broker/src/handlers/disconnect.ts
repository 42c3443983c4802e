import type { Connection } from '../connection/connection.js';
import { brokerError } from '../errors.js';
import type { DisconnectPacket } from '../protocol/packets.js';
import { ReasonCode } from '../protocol/reason-codes.js';
import { traceDisconnect } from '../tracing/hooks.js';

/**
 * DISCONNECT from the client: a normal disconnect discards the will ([MQTT-3.14.4-3],
 * [MQTT-3.1.2-10]); reason 0x04 keeps it; a Session Expiry Interval may be updated, but not from
 * 0 (3.14.2.2.2: a Protocol Error, and then the will is kept too).
 */
export function handleDisconnect(connection: Connection, packet: DisconnectPacket): void {
  const session = connection.session!;
  if (connection.ctx.tracer.active) traceDisconnect(connection, packet);
  const requested = packet.properties?.sessionExpiryInterval;
  if (requested !== undefined) {
    if (connection.connectSessionExpiry === 0 && requested !== 0) {
      throw brokerError('BROKER_ERR_PROTOCOL', 'Session Expiry Interval changed from 0 in DISCONNECT');
    }
    session.expiryInterval = Math.min(requested, connection.sessionPolicy?.sessionExpiryMax ?? connection.ctx.config.maxSessionExpiryInterval);
  }
  if ((packet.reasonCode ?? ReasonCode.Success) !== ReasonCode.DisconnectWithWillMessage) connection.will = null;
  // 3.14.4: the server closes the network connection after DISCONNECT.
  connection.close();
}
