import type { QoS, MessageProperties } from '../model/message.js';

/** A Will Message as accepted in CONNECT, with its will properties. */
export interface Will {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly properties: MessageProperties;
  readonly messageExpiryInterval: number | undefined;
  /** Will Delay Interval in seconds (5.0); 0 publishes at once. */
  readonly delayInterval: number;
}
