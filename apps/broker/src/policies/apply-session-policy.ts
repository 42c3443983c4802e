import type { Principal } from '../auth/authenticator.js';
import type { BrokerConfig } from '../config.js';
import type { Session, SessionLimits } from '../sessions/session.js';
import type { SessionPolicyBook } from './session-policy-book.js';
import type { EffectiveSessionPolicy } from './session-policy.js';

/** The side of a connection a session policy changes. */
export interface PolicyTarget {
  readonly state: string;
  readonly principal: Principal | null;
  readonly session: Session | null;
  /** Receive Maximum the client announced (65535 when it did not). */
  readonly clientReceiveMaximum: number;
  /** Outbound in-flight window: min(client's Receive Maximum, policy's maxInflight). */
  sendQuota: number;
  /** The policy in force since CONNECT (its CONNACK-negotiated values stay for the connection's life). */
  sessionPolicy: EffectiveSessionPolicy | null;
  readonly decoder: { setMaxPacketSize(size: number): void };
}

/** The part of a policy a Session enforces on its queue. */
export function sessionLimits(policy: EffectiveSessionPolicy, config: Pick<BrokerConfig, 'maxWriteBufferBytes'>): SessionLimits {
  return { maxQueuedMessages: policy.maxQueued, queueQos0: policy.queueQos0, queueDropPolicy: policy.dropPolicy, maxWriteBufferBytes: config.maxWriteBufferBytes };
}

/**
 * CONNECT accepted: the policy's in-flight cap, Maximum Packet Size (inbound packets above it
 * close the connection with 0x95 Packet too large) and queue limits take effect.
 */
export function applySessionPolicyAtConnect(connection: PolicyTarget, session: Session, policy: EffectiveSessionPolicy, config: Pick<BrokerConfig, 'maxWriteBufferBytes'>): void {
  connection.sessionPolicy = policy;
  connection.sendQuota = Math.min(connection.clientReceiveMaximum, policy.maxInflight);
  connection.decoder.setMaxPacketSize(policy.maxPacketSize);
  session.config = sessionLimits(policy, config);
}

/**
 * Policies changed: applies what may change while a client stays connected (queue limit, QoS 0
 * queueing, drop policy, in-flight window) to every live connection, and the queue limits to
 * offline sessions. Values negotiated in CONNACK (keep alive, session expiry cap, Maximum Packet
 * Size) stay until the client reconnects. A lowered queue limit applies to the next message; what
 * is queued already stays. Returns how many sessions were updated.
 */
export function applySessionPoliciesLive(deps: {
  book: SessionPolicyBook;
  config: Pick<BrokerConfig, 'maxWriteBufferBytes'>;
  connections: Iterable<PolicyTarget>;
  sessions: Iterable<Session>;
}): number {
  const done = new Set<Session>();
  for (const connection of deps.connections) {
    const session = connection.session;
    if (!session || connection.state !== 'connected') continue;
    const policy = deps.book.effective(connection.principal);
    session.config = sessionLimits(policy, deps.config);
    connection.sendQuota = Math.min(connection.clientReceiveMaximum, policy.maxInflight);
    done.add(session);
    // A wider window sends what waited.
    session.drain();
  }
  for (const session of deps.sessions) {
    if (done.has(session)) continue;
    session.config = sessionLimits(deps.book.effective(session.principal ?? { username: session.username }), deps.config);
    done.add(session);
  }
  return done.size;
}
