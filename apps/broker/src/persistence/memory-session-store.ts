import type { Subscription } from '../model/subscription.js';
import {
  namedWrites,
  type SessionStore,
  type StoredDelivery,
  type StoredMessage,
  type StoredSession,
  type StoredState,
  type StoredWill,
  type StoreWrite,
} from './session-store.js';

interface MemorySession {
  session: StoredSession;
  subscriptions: Map<string, Subscription>;
  deliveries: Map<number, StoredDelivery>;
  inboundQos2: Set<number>;
}

/**
 * The reference SessionStore: the same semantics as the Postgres store, in maps. Every write is
 * durable as soon as it returns (for this process). Used by unit tests and as the contract's
 * second implementation.
 */
export function createMemorySessionStore(): SessionStore {
  const sessions = new Map<string, MemorySession>();
  const messages = new Map<number, StoredMessage>();
  const retained = new Map<string, StoredMessage>();
  const wills = new Map<string, StoredWill>();
  let maxMessageId = 0;
  let maxDeliveryId = 0;

  const apply = (w: StoreWrite): void => {
    switch (w.kind) {
      case 'session-upsert': {
        const existing = sessions.get(w.session.clientId);
        if (existing) existing.session = { ...w.session };
        else sessions.set(w.session.clientId, { session: { ...w.session }, subscriptions: new Map(), deliveries: new Map(), inboundQos2: new Set() });
        return;
      }
      case 'session-delete':
        sessions.delete(w.clientId);
        return;
      case 'subscription-add':
        sessions.get(w.clientId)?.subscriptions.set(w.subscription.topicFilter, { ...w.subscription });
        return;
      case 'subscription-remove':
        sessions.get(w.clientId)?.subscriptions.delete(w.topicFilter);
        return;
      case 'message-add':
        messages.set(w.message.id, w.message);
        maxMessageId = Math.max(maxMessageId, w.message.id);
        return;
      case 'message-delete':
        messages.delete(w.id);
        return;
      case 'delivery-add': {
        const s = sessions.get(w.delivery.clientId);
        if (!s) return;
        if (!messages.has(w.delivery.messageId)) throw new Error(`delivery ${w.delivery.id} refers to unknown message ${w.delivery.messageId}`);
        s.deliveries.set(w.delivery.id, { ...w.delivery, subscriptionIdentifiers: [...w.delivery.subscriptionIdentifiers] });
        maxDeliveryId = Math.max(maxDeliveryId, w.delivery.id);
        return;
      }
      case 'delivery-update': {
        const d = sessions.get(w.clientId)?.deliveries.get(w.id);
        if (d) {
          d.state = w.state;
          d.packetId = w.packetId;
        }
        return;
      }
      case 'delivery-delete':
        sessions.get(w.clientId)?.deliveries.delete(w.id);
        return;
      case 'inbound-qos2-add':
        sessions.get(w.clientId)?.inboundQos2.add(w.packetId);
        return;
      case 'inbound-qos2-delete':
        sessions.get(w.clientId)?.inboundQos2.delete(w.packetId);
        return;
      case 'retained-set':
        retained.set(w.message.topic, w.message);
        return;
      case 'retained-delete':
        retained.delete(w.topic);
        return;
      case 'will-put':
        wills.set(w.will.clientId, w.will);
        return;
      case 'will-delete':
        wills.delete(w.clientId);
        return;
    }
  };

  return {
    ...namedWrites(async (w) => apply(w)),
    async load(): Promise<StoredState> {
      const referenced = new Map<number, StoredMessage>();
      const out: StoredState['sessions'] = [];
      for (const s of sessions.values()) {
        const deliveries = [...s.deliveries.values()].sort((a, b) => a.id - b.id).map((d) => ({ ...d, subscriptionIdentifiers: [...d.subscriptionIdentifiers] }));
        for (const d of deliveries) {
          const m = messages.get(d.messageId);
          if (m) referenced.set(m.id, m);
        }
        out.push({ ...s.session, subscriptions: [...s.subscriptions.values()].map((x) => ({ ...x })), deliveries, inboundQos2: [...s.inboundQos2].sort((a, b) => a - b) });
      }
      return { sessions: out, messages: referenced, retained: [...retained.values()], wills: [...wills.values()], maxMessageId, maxDeliveryId };
    },
    health: () => ({ reachable: true, pendingWrites: 0 }),
    async close() {},
  };
}
