import { afterEach, describe, expect, it } from 'vitest';
import type { Subscription } from '../src/model/subscription.js';
import type { SessionStore, StoredDelivery, StoredMessage, StoredSession } from '../src/persistence/session-store.js';

const session = (clientId: string, over: Partial<StoredSession> = {}): StoredSession => ({
  clientId,
  expiryInterval: 3600,
  protocolVersion: 5,
  username: 'u1',
  nodeId: 'node-1',
  disconnectedAt: undefined,
  ...over,
});

const subscription = (topicFilter: string, over: Partial<Subscription> = {}): Subscription => ({
  topicFilter,
  qos: 1,
  noLocal: false,
  retainAsPublished: false,
  retainHandling: 0,
  subscriptionIdentifier: undefined,
  ...over,
});

const message = (id: number, over: Partial<StoredMessage> = {}): StoredMessage => ({
  id,
  topic: 'a/b',
  payload: Buffer.from(`payload-${id}`),
  qos: 1,
  retain: false,
  properties: {},
  publisherClientId: 'pub',
  publisherUsername: undefined,
  createdAt: 1_700_000_000_000 + id,
  expiresAt: undefined,
  ...over,
});

const delivery = (id: number, clientId: string, messageId: number, over: Partial<StoredDelivery> = {}): StoredDelivery => ({
  id,
  clientId,
  messageId,
  qos: 1,
  retain: false,
  subscriptionIdentifiers: [],
  state: 'queued',
  packetId: undefined,
  ...over,
});

/**
 * The SessionStore contract: every implementation (memory, postgres) must pass it. `create`
 * returns an empty store; `reopen` (when given) opens a second store on the same data, to prove
 * that what was written is durable beyond the writing instance.
 */
export function describeSessionStore(name: string, create: () => Promise<{ store: SessionStore; reopen: () => Promise<SessionStore> }>): void {
  describe(`SessionStore contract: ${name}`, () => {
    const open: SessionStore[] = [];
    afterEach(async () => {
      await Promise.all(open.map((s) => s.close()));
      open.length = 0;
    });
    const fresh = async () => {
      const made = await create();
      open.push(made.store);
      return {
        store: made.store,
        reopen: async () => {
          const s = await made.reopen();
          open.push(s);
          return s;
        },
      };
    };

    it('an empty store loads nothing', async () => {
      const { store } = await fresh();
      const state = await store.load();
      expect(state.sessions).toEqual([]);
      expect(state.retained).toEqual([]);
      expect(state.wills).toEqual([]);
      expect(state.maxMessageId).toBe(0);
      expect(state.maxDeliveryId).toBe(0);
      expect(store.health()).toEqual({ reachable: true, pendingWrites: 0 });
    });

    it('sessions are upserted and deleted; delete removes their subscriptions and deliveries', async () => {
      const { store, reopen } = await fresh();
      await store.upsertSession(session('c1'));
      await store.upsertSession(session('c1', { expiryInterval: 0xffffffff, disconnectedAt: 1_700_000_000_123 }));
      await store.upsertSession(session('c2'));
      await store.addSubscription('c2', subscription('x/#'));
      await store.addMessage(message(1));
      await store.addDelivery(delivery(1, 'c2', 1));
      await store.addInboundQos2('c2', 7);
      await store.deleteSession('c2');
      const state = await (await reopen()).load();
      expect(state.sessions).toHaveLength(1);
      expect(state.sessions[0]).toMatchObject({ clientId: 'c1', expiryInterval: 0xffffffff, disconnectedAt: 1_700_000_000_123, protocolVersion: 5, username: 'u1' });
      expect(state.sessions[0]!.subscriptions).toEqual([]);
      expect(state.messages.size).toBe(0);
    });

    it('a session keeps the will of its live connection', async () => {
      const { store, reopen } = await fresh();
      const will = { topic: 'w/c1', payload: Buffer.from('bye'), qos: 1 as const, retain: true, properties: { contentType: 'text/plain', messageExpiryInterval: 30 }, delayInterval: 5 };
      await store.upsertSession(session('c1', { will }));
      await store.upsertSession(session('c2', { will }));
      await store.upsertSession(session('c2', { disconnectedAt: 1_700_000_000_000 }));
      const state = await (await reopen()).load();
      const c1 = state.sessions.find((s) => s.clientId === 'c1')!;
      expect(c1.will).toMatchObject({ topic: 'w/c1', qos: 1, retain: true, delayInterval: 5 });
      expect(c1.will!.payload.toString()).toBe('bye');
      expect(c1.will!.properties).toEqual({ contentType: 'text/plain', messageExpiryInterval: 30 });
      expect(state.sessions.find((s) => s.clientId === 'c2')!.will).toBeUndefined();
    });

    it('subscriptions keep their options and are replaced by filter', async () => {
      const { store, reopen } = await fresh();
      await store.upsertSession(session('c1'));
      await store.addSubscription('c1', subscription('a/+', { qos: 2, noLocal: true, retainAsPublished: true, retainHandling: 1, subscriptionIdentifier: 42 }));
      await store.addSubscription('c1', subscription('b/#', { qos: 0 }));
      await store.addSubscription('c1', subscription('b/#', { qos: 1 }));
      await store.addSubscription('c1', subscription('$share/g/c'));
      await store.removeSubscription('c1', '$share/g/c');
      const [s] = (await (await reopen()).load()).sessions;
      const byFilter = Object.fromEntries(s!.subscriptions.map((x) => [x.topicFilter, x]));
      expect(Object.keys(byFilter).sort()).toEqual(['a/+', 'b/#']);
      expect(byFilter['a/+']).toEqual(subscription('a/+', { qos: 2, noLocal: true, retainAsPublished: true, retainHandling: 1, subscriptionIdentifier: 42 }));
      expect(byFilter['b/#']!.qos).toBe(1);
    });

    it('a message is stored once for many deliveries; delivery state and packet id are updated; order is kept', async () => {
      const { store, reopen } = await fresh();
      await store.upsertSession(session('c1'));
      await store.upsertSession(session('c2'));
      const props = { contentType: 'text/plain', correlationData: Buffer.from([0, 1, 2, 255]), userProperties: { k: 'v' }, payloadFormatIndicator: true };
      await store.addMessage(message(10, { qos: 2, properties: props, expiresAt: 1_800_000_000_000 }));
      await store.addMessage(message(11));
      await store.addDelivery(delivery(100, 'c1', 10, { qos: 2, subscriptionIdentifiers: [3, 4] }));
      await store.addDelivery(delivery(101, 'c2', 10, { qos: 1, retain: true }));
      await store.addDelivery(delivery(102, 'c1', 11));
      await store.updateDelivery('c1', 100, 'inflight', 5);
      await store.updateDelivery('c1', 100, 'pubrel', 5);
      await store.updateDelivery('c2', 101, 'inflight', 9);
      await store.deleteDelivery('c2', 101);
      const state = await (await reopen()).load();
      const c1 = state.sessions.find((s) => s.clientId === 'c1')!;
      const c2 = state.sessions.find((s) => s.clientId === 'c2')!;
      expect(c1.deliveries.map((d) => [d.id, d.state, d.packetId])).toEqual([
        [100, 'pubrel', 5],
        [102, 'queued', undefined],
      ]);
      expect(c1.deliveries[0]!.subscriptionIdentifiers).toEqual([3, 4]);
      expect(c2.deliveries).toEqual([]);
      expect([...state.messages.keys()].sort()).toEqual([10, 11]);
      const m = state.messages.get(10)!;
      expect(m.payload.equals(Buffer.from('payload-10'))).toBe(true);
      expect(m.qos).toBe(2);
      expect(m.expiresAt).toBe(1_800_000_000_000);
      expect(m.properties.contentType).toBe('text/plain');
      expect(Buffer.from(m.properties.correlationData!).equals(Buffer.from([0, 1, 2, 255]))).toBe(true);
      expect(m.properties.userProperties).toEqual({ k: 'v' });
      expect(state.maxMessageId).toBe(11);
      expect(state.maxDeliveryId).toBe(102);
    });

    it('a message without deliveries can be deleted; many writes issued together all land', async () => {
      const { store, reopen } = await fresh();
      await store.upsertSession(session('c1'));
      const writes: Promise<void>[] = [];
      for (let i = 1; i <= 200; i++) {
        writes.push(store.addMessage(message(i)));
        writes.push(store.addDelivery(delivery(i, 'c1', i)));
        if (i % 2 === 0) {
          writes.push(store.updateDelivery('c1', i, 'inflight', i));
          writes.push(store.deleteDelivery('c1', i));
          writes.push(store.deleteMessage(i));
        }
      }
      await Promise.all(writes);
      const state = await (await reopen()).load();
      expect(state.sessions[0]!.deliveries.map((d) => d.id)).toEqual(Array.from({ length: 100 }, (_, k) => 2 * k + 1));
      expect(state.messages.size).toBe(100);
    });

    it('inbound QoS 2 packet identifiers are added and released', async () => {
      const { store, reopen } = await fresh();
      await store.upsertSession(session('c1'));
      await store.addInboundQos2('c1', 1);
      await store.addInboundQos2('c1', 2);
      await store.addInboundQos2('c1', 2);
      await store.deleteInboundQos2('c1', 1);
      const [s] = (await (await reopen()).load()).sessions;
      expect(s!.inboundQos2).toEqual([2]);
    });

    it('retained messages are set per topic and deleted', async () => {
      const { store, reopen } = await fresh();
      await store.setRetained(message(0, { topic: 't/1', retain: true, publisherUsername: 'alice' }));
      await store.setRetained(message(0, { topic: 't/2', retain: true }));
      await store.setRetained(message(0, { topic: 't/1', retain: true, payload: Buffer.from('newer') }));
      await store.deleteRetained('t/2');
      const state = await (await reopen()).load();
      expect(state.retained).toHaveLength(1);
      expect(state.retained[0]!.topic).toBe('t/1');
      expect(state.retained[0]!.payload.toString()).toBe('newer');
    });

    it('delayed wills are put and deleted', async () => {
      const { store, reopen } = await fresh();
      const will = { clientId: 'w1', topic: 'will/w1', payload: Buffer.from('gone'), qos: 1 as const, retain: true, properties: { messageExpiryInterval: 60 }, username: 'bob', publishAt: 1_700_000_100_000 };
      await store.putWill(will);
      await store.putWill({ ...will, clientId: 'w2' });
      await store.deleteWill('w2');
      const state = await (await reopen()).load();
      expect(state.wills).toHaveLength(1);
      expect(state.wills[0]).toMatchObject({ clientId: 'w1', topic: 'will/w1', qos: 1, retain: true, username: 'bob', publishAt: 1_700_000_100_000 });
      expect(state.wills[0]!.properties.messageExpiryInterval).toBe(60);
      expect(state.wills[0]!.payload.toString()).toBe('gone');
    });

    it('a session deleted and recreated in quick succession starts empty', async () => {
      const { store, reopen } = await fresh();
      await store.upsertSession(session('c1'));
      await store.addSubscription('c1', subscription('old'));
      const writes = [store.deleteSession('c1'), store.upsertSession(session('c1', { expiryInterval: 10 })), store.addSubscription('c1', subscription('new'))];
      await Promise.all(writes);
      const [s] = (await (await reopen()).load()).sessions;
      expect(s!.expiryInterval).toBe(10);
      expect(s!.subscriptions.map((x) => x.topicFilter)).toEqual(['new']);
    });
  });
}
