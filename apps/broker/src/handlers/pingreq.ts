import type { Connection } from '../connection/connection.js';
import { pingresp } from '../protocol/packets.js';

/** [MQTT-3.12.4-1] PINGREQ is answered with PINGRESP. */
export function handlePingreq(connection: Connection): void {
  connection.send(pingresp);
}
