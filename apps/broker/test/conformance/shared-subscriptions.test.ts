import type mqttPacket from 'mqtt-packet';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { waitFor } from '../helpers/clients.js';
import { closeCollectingClients, connectCollecting, endClient, payloads, subscriptionIds, type CollectingClient } from '../helpers/collecting-client.js';
import { destroyRawClients, rawConnected, rawSubscribe } from '../helpers/raw-ops.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker();
});
afterAll(() => broker.close());
afterEach(async () => {
  destroyRawClients();
  await closeCollectingClients();
});

let unique = 0;
const fresh = (name: string): string => `shared-${name}-${++unique}`;
const numbered = (n: number): string[] => Array.from({ length: n }, (_, i) => `m${i + 1}`);

async function publishAll(pub: CollectingClient, topic: string, messages: string[], qos: 0 | 1 | 2 = 1): Promise<void> {
  for (const m of messages) await pub.client.publishAsync(topic, m, { qos });
}

describe('shared subscriptions $share/{ShareName}/{filter}', () => {
  for (const version of [4, 5] as const) {
    it(`(4.8.2) each message goes to exactly one session of the group: 2 members, 20 messages, each gets some, none twice (protocol level ${version})`, async () => {
      const p = fresh('one-of');
      const a = await connectCollecting(broker.url, { protocolVersion: version });
      const b = await connectCollecting(broker.url, { protocolVersion: version });
      await a.client.subscribeAsync(`$share/g/${p}/+`, { qos: 1 });
      await b.client.subscribeAsync(`$share/g/${p}/+`, { qos: 1 });
      const pub = await connectCollecting(broker.url, { protocolVersion: version });
      const sent = numbered(20);
      await publishAll(pub, `${p}/t`, sent);
      await waitFor(() => a.received.length + b.received.length >= 20, 5000, '20 messages in the group');
      expect(a.received.length).toBeGreaterThan(0);
      expect(b.received.length).toBeGreaterThan(0);
      const all = [...payloads(a.received), ...payloads(b.received)];
      expect(all).toHaveLength(20);
      expect(new Set(all).size).toBe(20);
      expect([...all].sort()).toEqual([...sent].sort());
      // Per member, messages from one publisher keep their order.
      const order = (xs: string[]): string[] => [...xs].sort((x, y) => Number(x.slice(1)) - Number(y.slice(1)));
      expect(payloads(a.received)).toEqual(order(payloads(a.received)));
      expect(payloads(b.received)).toEqual(order(payloads(b.received)));
    });
  }

  it('(4.8.2) every group gets every message, once per group', async () => {
    const p = fresh('groups');
    const g1a = await connectCollecting(broker.url);
    const g1b = await connectCollecting(broker.url);
    const g2 = await connectCollecting(broker.url);
    await g1a.client.subscribeAsync(`$share/g1/${p}`, { qos: 1 });
    await g1b.client.subscribeAsync(`$share/g1/${p}`, { qos: 1 });
    await g2.client.subscribeAsync(`$share/g2/${p}`, { qos: 1 });
    const pub = await connectCollecting(broker.url);
    const sent = numbered(20);
    await publishAll(pub, p, sent);
    await waitFor(() => g1a.received.length + g1b.received.length >= 20 && g2.received.length >= 20, 5000, '20 messages per group');
    expect([...payloads(g1a.received), ...payloads(g1b.received)].sort()).toEqual([...sent].sort());
    expect(payloads(g2.received)).toEqual(sent);
  });

  it('(4.8.2) a session with a shared and a non-shared subscription matching a message receives it for each', async () => {
    const p = fresh('both');
    const a = await connectCollecting(broker.url);
    const b = await connectCollecting(broker.url);
    await a.client.subscribeAsync(`$share/g/${p}`, { qos: 1, properties: { subscriptionIdentifier: 1 } });
    await a.client.subscribeAsync(p, { qos: 1, properties: { subscriptionIdentifier: 2 } });
    await b.client.subscribeAsync(`$share/g/${p}`, { qos: 1, properties: { subscriptionIdentifier: 1 } });
    const pub = await connectCollecting(broker.url);
    const sent = numbered(20);
    await publishAll(pub, p, sent);
    await waitFor(() => a.received.length + b.received.length >= 40, 5000, '40 deliveries');
    const aShared = a.received.filter((m) => subscriptionIds(m).join() === '1');
    const aDirect = a.received.filter((m) => subscriptionIds(m).join() === '2');
    expect(aShared.length + aDirect.length).toBe(a.received.length);
    expect(payloads(aDirect)).toEqual(sent);
    expect(b.received.every((m) => subscriptionIds(m).join() === '1')).toBe(true);
    expect([...payloads(aShared), ...payloads(b.received)].sort()).toEqual([...sent].sort());
  });

  it('[MQTT-4.8.2-3] each member gets messages at the QoS granted to its own subscription', async () => {
    const p = fresh('qos');
    const a = await connectCollecting(broker.url);
    const b = await connectCollecting(broker.url);
    await a.client.subscribeAsync(`$share/g/${p}`, { qos: 0 });
    await b.client.subscribeAsync(`$share/g/${p}`, { qos: 2 });
    const pub = await connectCollecting(broker.url);
    await publishAll(pub, p, numbered(10), 2);
    await waitFor(() => a.received.length + b.received.length >= 10, 5000, '10 messages');
    expect(a.received.length).toBeGreaterThan(0);
    expect(b.received.length).toBeGreaterThan(0);
    expect(a.received.map((m) => m.qos).every((q) => q === 0)).toBe(true);
    expect(b.received.map((m) => m.qos).every((q) => q === 2)).toBe(true);
  });

  it('(3.3.1.3) no retained messages are sent when a shared subscription is made', async () => {
    const p = fresh('retained');
    const pub = await connectCollecting(broker.url);
    await pub.client.publishAsync(`${p}/t`, 'retained', { qos: 1, retain: true });
    const sub = await connectCollecting(broker.url);
    await sub.client.subscribeAsync({ [`$share/g/${p}/t`]: { qos: 1, rh: 0 }, [`$share/h/${p}/#`]: { qos: 1, rh: 0 } });
    await pub.client.publishAsync(`${p}/t`, 'sentinel', { qos: 1 });
    await waitFor(() => sub.received.length >= 2, 5000, 'the sentinel from both groups');
    expect(payloads(sub.received)).toEqual(['sentinel', 'sentinel']);
    expect(sub.received.every((m) => !m.retain)).toBe(true);
    await pub.client.publishAsync(`${p}/t`, '', { qos: 1, retain: true });
  });

  it('[MQTT-3.8.3-4] No Local on a shared subscription is a Protocol Error: DISCONNECT 0x82', async () => {
    const p = fresh('nolocal');
    const raw = await rawConnected(broker.port, 5);
    await raw.send({ cmd: 'subscribe', messageId: 3, subscriptions: [{ topic: `$share/g/${p}`, qos: 1, nl: true, rap: false, rh: 0 }] }, 5);
    const disconnect = (await raw.next('disconnect')) as mqttPacket.IDisconnectPacket;
    expect(disconnect.reasonCode).toBe(0x82);
    expect(await raw.waitClosed()).toBe(true);
    expect(raw.packets.filter((pk) => pk.cmd === 'suback')).toEqual([]);
  });

  for (const version of [4, 5] as const) {
    const failure = version === 5 ? 0x8f : 0x80;
    it(`[MQTT-4.8.2-1] [MQTT-4.8.2-2] invalid shared subscriptions are refused with ${failure.toString(16)}, valid ones in the same SUBSCRIBE granted (protocol level ${version})`, async () => {
      const p = fresh('invalid');
      const raw = await rawConnected(broker.port, version);
      const opts = version === 5 ? { nl: false, rap: false, rh: 0 as const } : {};
      const suback = await rawSubscribe(raw, version, 11, [
        { topic: '$share/a+b/x', qos: 1, ...opts },
        { topic: `$share/g/${p}`, qos: 1, ...opts },
        { topic: '$share//x', qos: 1, ...opts },
        { topic: '$share/g', qos: 1, ...opts },
        { topic: '$share/g/', qos: 1, ...opts },
        { topic: '$share/#/x', qos: 1, ...opts },
        { topic: '$share/g/a/#/b', qos: 1, ...opts },
      ]);
      expect(suback.granted).toEqual([failure, 1, failure, failure, failure, failure, failure]);
      expect(raw.closed).toBe(false);
    });
  }

  it('(4.8.2) a member whose session ends leaves the group: the remaining member gets every message', async () => {
    const p = fresh('leave');
    const a = await connectCollecting(broker.url, { clientId: `${p}-a`, properties: { sessionExpiryInterval: 0 } });
    const b = await connectCollecting(broker.url, { clientId: `${p}-b` });
    await a.client.subscribeAsync(`$share/g/${p}`, { qos: 1 });
    await b.client.subscribeAsync(`$share/g/${p}`, { qos: 1 });
    const pub = await connectCollecting(broker.url);
    await publishAll(pub, p, ['x1', 'x2', 'x3', 'x4']);
    await waitFor(() => a.received.length + b.received.length >= 4, 5000, 'first four');
    expect(a.received.length).toBeGreaterThan(0);
    const sessions = broker.broker.context.sessions;
    const subscriptionsBefore = broker.broker.context.router.subscriptionCount;
    await endClient(a.client);
    await waitFor(() => sessions.get(`${p}-a`) === undefined, 5000, "a's session to end");
    expect(broker.broker.context.router.subscriptionCount).toBe(subscriptionsBefore - 1);

    // a comes back asking to resume: there is no session, so no membership either.
    const again = await connectCollecting(broker.url, { clientId: `${p}-a`, clean: false, properties: { sessionExpiryInterval: 0 } });
    expect(again.connack.sessionPresent).toBe(false);
    const bBefore = b.received.length;
    const sent = numbered(10);
    await publishAll(pub, p, sent);
    await waitFor(() => b.received.length >= bBefore + 10, 5000, 'all ten at b');
    expect(payloads(b.received.slice(bBefore))).toEqual(sent);
    expect(again.received).toEqual([]);
  });

  it('(4.8.2) UNSUBSCRIBE from a shared subscription leaves the group', async () => {
    const p = fresh('unsub');
    const a = await connectCollecting(broker.url);
    const b = await connectCollecting(broker.url);
    await a.client.subscribeAsync(`$share/g/${p}`, { qos: 1 });
    await b.client.subscribeAsync(`$share/g/${p}`, { qos: 1 });
    await a.client.unsubscribeAsync(`$share/g/${p}`);
    const pub = await connectCollecting(broker.url);
    const sent = numbered(10);
    await publishAll(pub, p, sent);
    await waitFor(() => b.received.length >= 10, 5000, 'all ten at b');
    expect(payloads(b.received)).toEqual(sent);
    expect(a.received).toEqual([]);
  });
});
