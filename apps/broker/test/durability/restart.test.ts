import { afterEach, describe, expect, it } from 'vitest';
import { closeLifecycleClients, connectV, dropConnection } from '../helpers/lifecycle.js';
import { startDurableBroker, type DurableTestBroker } from '../helpers/durable-broker.js';
import { createMigratedDatabase } from '../helpers/postgres.js';

const brokers: DurableTestBroker[] = [];
async function start(url: string, config = {}): Promise<DurableTestBroker> {
  const b = await startDurableBroker(url, config);
  brokers.push(b);
  return b;
}
async function stop(b: DurableTestBroker): Promise<void> {
  await closeLifecycleClients();
  await b.close();
  brokers.splice(brokers.indexOf(b), 1);
}

afterEach(async () => {
  await closeLifecycleClients();
  await Promise.all(brokers.map((b) => b.close()));
  brokers.length = 0;
});

const waitFor = async (check: () => boolean, ms = 5000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('durability: state survives a broker restart (Postgres store)', () => {
  it('[MQTT-3.3.1-5] a retained message survives a restart and is sent to a new subscriber', async () => {
    const db = await createMigratedDatabase('retained');
    let broker = await start(db);
    const pub = await connectV(broker.url, { clientId: 'pub' });
    await pub.client.publishAsync('r/1', 'kept', { qos: 1, retain: true });
    await pub.client.publishAsync('r/2', 'gone', { qos: 1, retain: true });
    await pub.client.publishAsync('r/2', '', { qos: 1, retain: true }); // [MQTT-3.3.1-6] deletes it
    await stop(broker);

    broker = await start(db);
    const sub = await connectV(broker.url, { clientId: 'sub' });
    await sub.client.subscribeAsync('r/#', { qos: 1 });
    await waitFor(() => sub.received.length >= 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(sub.received.map((p) => [p.topic, p.payload.toString(), p.retain])).toEqual([['r/1', 'kept', true]]);
  });

  it('[MQTT-3.1.2-5] a persistent client reconnects with Clean Start 0 after a restart and receives without resubscribing', async () => {
    const db = await createMigratedDatabase('subs');
    let broker = await start(db);
    const sub = await connectV(broker.url, { clientId: 'dev-1', clean: false, properties: { sessionExpiryInterval: 3600 } });
    await sub.client.subscribeAsync('dev/+/cmd', { qos: 1 });
    await stop(broker);

    broker = await start(db);
    const again = await connectV(broker.url, { clientId: 'dev-1', clean: false, properties: { sessionExpiryInterval: 3600 } });
    expect(again.connack.sessionPresent).toBe(true);
    const pub = await connectV(broker.url, { clientId: 'pub' });
    await pub.client.publishAsync('dev/1/cmd', 'reboot', { qos: 1 });
    await waitFor(() => again.received.length === 1);
    expect(again.received[0]!.payload.toString()).toBe('reboot');
  });

  it('[MQTT-3.1.2-23] queued QoS 1 messages for an offline persistent session survive a restart, in order', async () => {
    const db = await createMigratedDatabase('queue');
    let broker = await start(db);
    const sub = await connectV(broker.url, { clientId: 'q-1', clean: false, properties: { sessionExpiryInterval: 3600 } });
    await sub.client.subscribeAsync('q/#', { qos: 1 });
    await new Promise<void>((resolve) => sub.client.end(false, {}, () => resolve()));
    const pub = await connectV(broker.url, { clientId: 'pub', protocolVersion: 4 });
    for (let i = 0; i < 20; i++) await pub.client.publishAsync('q/x', `m${i}`, { qos: 1 });
    await stop(broker);

    broker = await start(db);
    const again = await connectV(broker.url, { clientId: 'q-1', clean: false, properties: { sessionExpiryInterval: 3600 } });
    expect(again.connack.sessionPresent).toBe(true);
    await waitFor(() => again.received.length >= 20);
    expect(again.received.map((p) => p.payload.toString())).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
    // Acknowledged deliveries are gone from the store too.
    await again.client.endAsync();
    await broker.broker.context.durable!.settle();
    const state = await broker.store.load();
    expect(state.sessions.find((s) => s.clientId === 'q-1')!.deliveries).toEqual([]);
    expect(state.messages.size).toBe(0);
  });

  it('[MQTT-4.1.0-2] session expiry counts across a restart: an expired session is gone, a live one stays', async () => {
    const db = await createMigratedDatabase('expiry');
    let broker = await start(db);
    const short = await connectV(broker.url, { clientId: 'short', properties: { sessionExpiryInterval: 1 } });
    await short.client.subscribeAsync('e/#', { qos: 1 });
    const long = await connectV(broker.url, { clientId: 'long', properties: { sessionExpiryInterval: 3600 } });
    await long.client.subscribeAsync('e/#', { qos: 1 });
    await Promise.all([short.client.endAsync(), long.client.endAsync()]);
    await stop(broker);
    await new Promise((r) => setTimeout(r, 1300));

    broker = await start(db);
    expect(broker.broker.context.sessions.get('short')).toBeUndefined();
    expect(broker.broker.context.sessions.get('long')).toBeDefined();
    const s1 = await connectV(broker.url, { clientId: 'short', clean: false, properties: { sessionExpiryInterval: 1 } });
    expect(s1.connack.sessionPresent).toBe(false);
    const s2 = await connectV(broker.url, { clientId: 'long', clean: false, properties: { sessionExpiryInterval: 3600 } });
    expect(s2.connack.sessionPresent).toBe(true);
    await broker.broker.context.durable!.settle();
    const state = await broker.store.load();
    expect(state.sessions.map((s) => s.clientId).sort()).toEqual(['long', 'short']); // 'short' is a new session now
  });

  it('[MQTT-3.1.3-9] a delayed will pending at a restart is published after it', async () => {
    const db = await createMigratedDatabase('will');
    let broker = await start(db);
    const dying = await connectV(broker.url, {
      clientId: 'dying',
      properties: { sessionExpiryInterval: 3600 },
      will: { topic: 'wills/dying', payload: Buffer.from('offline'), qos: 1, retain: true, properties: { willDelayInterval: 1 } },
    });
    dropConnection(dying.client);
    await waitFor(() => broker.broker.context.wills.size === 1);
    await broker.broker.context.durable!.settle();
    await stop(broker);

    broker = await start(db);
    const watcher = await connectV(broker.url, { clientId: 'watcher' });
    await watcher.client.subscribeAsync('wills/#', { qos: 1 });
    await waitFor(() => watcher.received.length >= 1, 4000);
    expect(watcher.received[0]!.payload.toString()).toBe('offline');
    await broker.broker.context.durable!.settle();
    expect((await broker.store.load()).wills).toEqual([]);
  });
});

describe('durability: in-flight and expired messages across a restart', () => {
  it('[MQTT-4.4.0-1] an unacknowledged QoS 1 message is resent with DUP after a restart; [MQTT-3.3.2-5] an expired queued one is not sent', async () => {
    const db = await createMigratedDatabase('inflight');
    let broker = await start(db);
    const sub = await connectV(broker.url, { clientId: 'if-1', clean: false, properties: { sessionExpiryInterval: 3600 } });
    await sub.client.subscribeAsync('if/#', { qos: 1 });
    // The subscriber receives but never acknowledges.
    (sub.client as unknown as { handleMessage: unknown }).handleMessage = () => {};
    const pub = await connectV(broker.url, { clientId: 'pub' });
    await pub.client.publishAsync('if/x', 'unacked', { qos: 1 });
    await waitFor(() => sub.received.length === 1);
    dropConnection(sub.client);
    await pub.client.publishAsync('if/x', 'short-lived', { qos: 1, properties: { messageExpiryInterval: 1 } });
    await pub.client.publishAsync('if/x', 'lasting', { qos: 1 });
    await broker.broker.context.durable!.settle();
    await stop(broker);
    await new Promise((r) => setTimeout(r, 1100));

    broker = await start(db);
    const again = await connectV(broker.url, { clientId: 'if-1', clean: false, properties: { sessionExpiryInterval: 3600 } });
    await waitFor(() => again.received.length >= 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(again.received.map((p) => [p.payload.toString(), p.dup])).toEqual([
      ['unacked', true],
      ['lasting', false],
    ]);
  });
});
