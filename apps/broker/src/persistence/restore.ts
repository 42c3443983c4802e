import type { BrokerConfig } from '../config.js';
import type { Message } from '../model/message.js';
import { isExpired } from '../model/message.js';
import type { Logger } from '../observability/logger.js';
import type { BrokerMetrics } from '../observability/metrics.js';
import type { RetainedIndex } from '../routing/retained-index.js';
import type { Router } from '../routing/router.js';
import type { SessionRegistry } from '../sessions/session-registry.js';
import { Session, type Delivery } from '../sessions/session.js';
import type { WillPublisher } from '../sessions/will-delay.js';
import type { Will } from '../sessions/will.js';
import type { DurableState } from './durable-state.js';
import type { StoredMessage, StoredWill } from './session-store.js';

export interface RestoreParts {
  durable: DurableState;
  config: BrokerConfig;
  metrics: BrokerMetrics;
  router: Router;
  retained: RetainedIndex;
  sessions: SessionRegistry;
  wills: WillPublisher;
  now: () => number;
  log: Logger;
}

export interface RestoreSummary {
  sessions: number;
  subscriptions: number;
  queued: number;
  inflight: number;
  retained: number;
  wills: number;
  expiredSessions: number;
  expiredMessages: number;
}

/**
 * Start-up: rebuild memory from the store. Persistent sessions come back disconnected (expiry
 * counts from their stored disconnection time, or from now if they were connected when the broker
 * stopped), with their subscriptions in the router, their queued and in-flight deliveries (resent
 * with DUP, or PUBREL, when the client resumes) and their inbound QoS 2 packet identifiers.
 * Retained messages return to the index, delayed wills to their timers (those due are published).
 * Expired sessions, retained messages and queued messages are removed.
 */
export async function restoreState(parts: RestoreParts): Promise<RestoreSummary> {
  const { durable, config, metrics, router, retained, sessions, wills, now, log } = parts;
  const state = await durable.store.load();
  durable.startIdsAfter(state.maxMessageId, state.maxDeliveryId);
  const at = now();
  const summary: RestoreSummary = { sessions: 0, subscriptions: 0, queued: 0, inflight: 0, retained: 0, wills: 0, expiredSessions: 0, expiredMessages: 0 };

  for (const stored of state.retained) {
    const message = toMessage(stored);
    if (isExpired(message, at)) durable.retainedRemoved(stored.topic);
    else {
      retained.set(message);
      summary.retained++;
    }
  }

  const messages = new Map<number, Message>();
  for (const [id, stored] of state.messages) messages.set(id, toMessage(stored));

  for (const stored of state.sessions) {
    const session = new Session(stored.clientId, config, metrics, now);
    session.expiryInterval = stored.expiryInterval;
    session.protocolVersion = stored.protocolVersion;
    session.username = stored.username;
    session.disconnectedAt = stored.disconnectedAt ?? at;
    durable.sessionRestored(session);
    for (const subscription of stored.subscriptions) {
      session.subscriptions.set(subscription.topicFilter, subscription);
      router.subscribe(session, subscription);
      summary.subscriptions++;
    }
    for (const d of stored.deliveries) {
      const message = messages.get(d.messageId);
      if (!message) continue;
      const delivery: Delivery = { message, qos: d.qos, retain: d.retain, subscriptionIdentifiers: d.subscriptionIdentifiers };
      durable.deliveryRestored(delivery, d.id, d.messageId);
      // [MQTT-3.3.2-5] a queued message whose Message Expiry Interval passed is not delivered.
      if (d.state === 'queued' && isExpired(message, at)) {
        durable.deliveryRemoved(session, delivery);
        summary.expiredMessages++;
        continue;
      }
      if (d.state === 'queued' || d.packetId === undefined) {
        session.restoreQueued(delivery);
        summary.queued++;
      } else {
        session.restoreInflight(d.packetId, delivery, d.state === 'pubrel' ? 'pubrel' : 'publish');
        summary.inflight++;
      }
    }
    for (const packetId of stored.inboundQos2) session.inboundQos2.add(packetId);
    sessions.restore(session);
    // Connected when the broker stopped: its expiry starts now, and the store learns so.
    if (stored.disconnectedAt === undefined) durable.sessionDetached(session);
    summary.sessions++;
  }

  for (const stored of state.wills) {
    wills.schedule(stored.clientId, stored.username, toWill(stored), stored.publishAt);
    summary.wills++;
  }
  // [MQTT-3.1.2-8] a client connected when the broker died lost its network connection without
  // DISCONNECT: its will is published now, or after its Will Delay Interval.
  for (const stored of state.sessions) {
    if (stored.disconnectedAt !== undefined || !stored.will) continue;
    const { messageExpiryInterval, ...properties } = stored.will.properties;
    const will: Will = { topic: stored.will.topic, payload: stored.will.payload, qos: stored.will.qos, retain: stored.will.retain, properties, messageExpiryInterval, delayInterval: stored.will.delayInterval };
    wills.trigger(stored.clientId, stored.username, will, stored.will.delayInterval);
    summary.wills++;
  }

  // Sessions whose expiry passed while the broker was down end now (publishing pending wills).
  summary.expiredSessions = sessions.sweep();
  await durable.settle();
  log.info({ restored: summary }, 'durable state restored');
  return summary;
}

function toMessage(stored: StoredMessage): Message {
  return {
    topic: stored.topic,
    payload: stored.payload,
    qos: stored.qos,
    retain: stored.retain,
    properties: stored.properties,
    expiresAt: stored.expiresAt,
    publisherClientId: stored.publisherClientId,
    publisherUsername: stored.publisherUsername,
    createdAt: stored.createdAt,
  };
}

function toWill(stored: StoredWill): Will {
  const { messageExpiryInterval, ...properties } = stored.properties;
  return {
    topic: stored.topic,
    payload: stored.payload,
    qos: stored.qos,
    retain: stored.retain,
    properties,
    messageExpiryInterval,
    delayInterval: 0,
  };
}
