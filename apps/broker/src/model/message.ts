import type { PublishProperties } from '../protocol/packets.js';

export type QoS = 0 | 1 | 2;

/** Application properties that travel with a message unchanged ([MQTT-3.3.2-4], [MQTT-3.3.2-15..18], [MQTT-3.3.2-20]). */
export interface MessageProperties {
  payloadFormatIndicator?: boolean;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Buffer;
  userProperties?: Record<string, string | string[]>;
}

/** One application message, stored once however many sessions it is delivered to. */
export interface Message {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly properties: MessageProperties;
  /** Absolute expiry (ms since epoch) from the Message Expiry Interval, or undefined. */
  readonly expiresAt: number | undefined;
  readonly publisherClientId: string | undefined;
  readonly publisherUsername: string | undefined;
  readonly createdAt: number;
  /**
   * PUBLISH packets of this message already encoded, by protocol/QoS/retain (see
   * Connection.sendPublish): encoded once, written to every subscriber that gets the same bytes.
   */
  encoded?: (Buffer | undefined)[] | undefined;
}

/** Whether the message carries nothing per-subscriber or per-moment (no properties, no expiry). */
export function hasNoProperties(message: Message): boolean {
  const p = message.properties;
  return (
    message.expiresAt === undefined &&
    p.payloadFormatIndicator === undefined &&
    p.contentType === undefined &&
    p.responseTopic === undefined &&
    p.correlationData === undefined &&
    p.userProperties === undefined
  );
}

export function createMessage(input: {
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  properties?: PublishProperties | undefined;
  publisherClientId?: string | undefined;
  publisherUsername?: string | undefined;
  now: number;
}): Message {
  const p = input.properties;
  const properties: MessageProperties = {};
  if (p) {
    if (p.payloadFormatIndicator !== undefined) properties.payloadFormatIndicator = p.payloadFormatIndicator;
    if (p.contentType !== undefined) properties.contentType = p.contentType;
    if (p.responseTopic !== undefined) properties.responseTopic = p.responseTopic;
    if (p.correlationData !== undefined) properties.correlationData = p.correlationData;
    if (p.userProperties !== undefined) properties.userProperties = p.userProperties;
  }
  const interval = p?.messageExpiryInterval;
  return {
    topic: input.topic,
    payload: input.payload,
    qos: input.qos,
    retain: input.retain,
    properties,
    expiresAt: interval !== undefined ? input.now + interval * 1000 : undefined,
    publisherClientId: input.publisherClientId,
    publisherUsername: input.publisherUsername,
    createdAt: input.now,
    encoded: undefined,
  };
}

export function isExpired(message: Message, now: number): boolean {
  return message.expiresAt !== undefined && message.expiresAt <= now;
}

/** Remaining Message Expiry Interval in whole seconds, as forwarded ([MQTT-3.3.2-6]). */
export function remainingExpirySeconds(message: Message, now: number): number | undefined {
  if (message.expiresAt === undefined) return undefined;
  return Math.max(1, Math.ceil((message.expiresAt - now) / 1000));
}
