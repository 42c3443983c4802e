import type { BrokerConfig } from '../config.js';

export type DropPolicy = 'drop-oldest' | 'drop-new';

/** The limits a session policy may set; null inherits from the next layer. */
export interface SessionPolicyFields {
  /** Cap on the Session Expiry Interval, in seconds. */
  sessionExpiryMax: number | null;
  /** Messages queued for the session (offline, or beyond its in-flight window). */
  maxQueued: number | null;
  /** Whether QoS 0 messages are queued while the client is offline. */
  queueQos0: boolean | null;
  /** What goes when the queue is full. */
  dropPolicy: DropPolicy | null;
  /** Outbound in-flight window cap (QoS 1/2 sent and not acknowledged). */
  maxInflight: number | null;
  /** Maximum Packet Size the broker accepts from the client (5.0: announced in CONNACK). */
  maxPacketSize: number | null;
  /** Keep Alive cap in seconds (5.0: Server Keep Alive); 0 = no cap. */
  keepAliveMax: number | null;
}

/** A stored policy: the global default, or an override for one user or one group. */
export interface StoredSessionPolicy extends SessionPolicyFields {
  targetType: 'default' | 'user' | 'group';
  targetName: string;
}

/** The limits in force for one session: every layer resolved, nothing null. */
export type EffectiveSessionPolicy = { [K in keyof SessionPolicyFields]: NonNullable<SessionPolicyFields[K]> };

export const POLICY_FIELDS = ['sessionExpiryMax', 'maxQueued', 'queueQos0', 'dropPolicy', 'maxInflight', 'maxPacketSize', 'keepAliveMax'] as const satisfies ReadonlyArray<keyof SessionPolicyFields>;

/** The bottom layer: the broker's own configuration. */
export function policyFromConfig(config: BrokerConfig): EffectiveSessionPolicy {
  return {
    sessionExpiryMax: config.maxSessionExpiryInterval,
    maxQueued: config.maxQueuedMessages,
    queueQos0: config.queueQos0,
    dropPolicy: config.queueDropPolicy,
    maxInflight: config.maxInflight,
    maxPacketSize: config.maxPacketSize,
    keepAliveMax: config.maxKeepAlive,
  };
}

/**
 * Resolves layers, most specific first: each field comes from the first layer that sets it,
 * else from `base`. The Maximum Packet Size never exceeds the broker's own (`packetSizeLimit`,
 * the listeners' limit).
 */
export function resolveSessionPolicy(layers: ReadonlyArray<Partial<SessionPolicyFields> | undefined>, base: EffectiveSessionPolicy, packetSizeLimit: number): EffectiveSessionPolicy {
  const effective = { ...base } as Record<keyof SessionPolicyFields, unknown>;
  for (const field of POLICY_FIELDS) {
    for (const layer of layers) {
      const value = layer?.[field];
      if (value !== null && value !== undefined) {
        effective[field] = value;
        break;
      }
    }
  }
  const result = effective as EffectiveSessionPolicy;
  if (result.maxPacketSize > packetSizeLimit) result.maxPacketSize = packetSizeLimit;
  return result;
}
