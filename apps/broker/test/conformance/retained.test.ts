import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { sleep, waitFor } from '../helpers/clients.js';
import { closeCollectingClients, connectCollecting, payloads, type CollectingClient } from '../helpers/collecting-client.js';

afterEach(() => closeCollectingClients());

let unique = 0;
const fresh = (name: string): string => `ret-${name}-${++unique}`;

/** Subscribes, then waits for a non-retained sentinel published after the SUBACK: what came before it is all that subscribe sent. */
async function subscribeAndSettle(url: string, filter: string, options: { qos: 0 | 1 | 2; rh?: 0 | 1 | 2 }, sentinelTopic: string, protocolVersion: 4 | 5 = 5): Promise<CollectingClient> {
  const sub = await connectCollecting(url, { protocolVersion });
  await sub.client.subscribeAsync({ [filter]: options, [sentinelTopic]: { qos: 1 } });
  const pub = await connectCollecting(url, { protocolVersion });
  await pub.client.publishAsync(sentinelTopic, 'sentinel', { qos: 1 });
  await waitFor(() => sub.received.some((m) => m.topic === sentinelTopic), 5000, 'sentinel');
  sub.received.splice(
    sub.received.findIndex((m) => m.topic === sentinelTopic),
    1,
  );
  return sub;
}

describe('retained messages', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker();
  });
  afterAll(() => broker.close());
  const retained = () => broker.broker.context.retained;

  for (const version of [4, 5] as const) {
    it(`[MQTT-3.3.1-5] only the latest retained message per topic is kept, and sent on subscribe with RETAIN 1 (protocol level ${version})`, async () => {
      const p = fresh('latest');
      const sizeBefore = retained().size;
      const pub = await connectCollecting(broker.url, { protocolVersion: version });
      await pub.client.publishAsync(`${p}/t`, 'v1', { qos: 1, retain: true });
      await pub.client.publishAsync(`${p}/t`, 'v2', { qos: 1, retain: true });
      expect(retained().size).toBe(sizeBefore + 1);
      const sub = await subscribeAndSettle(broker.url, `${p}/t`, { qos: 1 }, `${p}/sentinel`, version);
      expect(sub.received.map((m) => [m.topic, m.payload.toString(), m.retain, m.qos])).toEqual([[`${p}/t`, 'v2', true, 1]]);
      await pub.client.publishAsync(`${p}/t`, '', { qos: 1, retain: true });
      expect(retained().size).toBe(sizeBefore);
    });

    it(`(3.3.1.3) [MQTT-3.8.4-8] retained messages are sent at the minimum of their QoS and the granted QoS (protocol level ${version})`, async () => {
      const p = fresh('qos');
      const pub = await connectCollecting(broker.url, { protocolVersion: version });
      await pub.client.publishAsync(`${p}/q0`, 'zero', { qos: 0, retain: true });
      await pub.client.publishAsync(`${p}/q1`, 'one', { qos: 1, retain: true });
      await pub.client.publishAsync(`${p}/q2`, 'two', { qos: 2, retain: true });
      const at1 = await subscribeAndSettle(broker.url, `${p}/+`, { qos: 1 }, `${p}-s1`, version);
      const at2 = await subscribeAndSettle(broker.url, `${p}/+`, { qos: 2 }, `${p}-s2`, version);
      const at0 = await subscribeAndSettle(broker.url, `${p}/+`, { qos: 0 }, `${p}-s0`, version);
      const seen = (c: CollectingClient) => c.received.map((m) => [m.topic, m.qos, m.retain]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
      expect(seen(at1)).toEqual([
        [`${p}/q0`, 0, true],
        [`${p}/q1`, 1, true],
        [`${p}/q2`, 1, true],
      ]);
      expect(seen(at2)).toEqual([
        [`${p}/q0`, 0, true],
        [`${p}/q1`, 1, true],
        [`${p}/q2`, 2, true],
      ]);
      expect(seen(at0)).toEqual([
        [`${p}/q0`, 0, true],
        [`${p}/q1`, 0, true],
        [`${p}/q2`, 0, true],
      ]);
      for (const t of ['q0', 'q1', 'q2']) await pub.client.publishAsync(`${p}/${t}`, '', { qos: 1, retain: true });
    });
  }

  it('(3.8.2.1.2) retained messages sent on subscribe carry the Subscription Identifier of the new subscription (5.0)', async () => {
    const p = fresh('subid');
    const pub = await connectCollecting(broker.url);
    await pub.client.publishAsync(`${p}/t`, 'retained', { qos: 1, retain: true });
    const sub = await connectCollecting(broker.url);
    await sub.client.subscribeAsync(`${p}/+`, { qos: 1, properties: { subscriptionIdentifier: 42 } });
    await sub.client.subscribeAsync(`${p}/#`, { qos: 1 });
    await waitFor(() => sub.received.length >= 2, 5000, 'the retained message for each subscription');
    expect(sub.received.map((m) => [m.payload.toString(), m.retain, m.properties?.subscriptionIdentifier])).toEqual([
      ['retained', true, 42],
      ['retained', true, undefined],
    ]);
    await pub.client.publishAsync(`${p}/t`, '', { qos: 1, retain: true });
  });

  it('[MQTT-3.3.1-6] [MQTT-3.3.1-7] an empty retained payload deletes the retained message, reaches current subscribers, and is not stored', async () => {
    const p = fresh('delete');
    const pub = await connectCollecting(broker.url);
    await pub.client.publishAsync(`${p}/t`, 'keep me', { qos: 1, retain: true });
    const sizeWith = retained().size;
    expect(retained().get(`${p}/t`)?.payload.toString()).toBe('keep me');
    const current = await subscribeAndSettle(broker.url, `${p}/t`, { qos: 1 }, `${p}/s1`);
    const currentRap = await connectCollecting(broker.url);
    await currentRap.client.subscribeAsync(`${p}/t`, { qos: 1, rap: true, rh: 2 });
    expect(payloads(current.received)).toEqual(['keep me']);

    await pub.client.publishAsync(`${p}/t`, '', { qos: 1, retain: true });
    await waitFor(() => current.received.length >= 2 && currentRap.received.length >= 1, 5000, 'the empty message');
    expect(current.received[1]!.payload.length).toBe(0);
    expect(current.received[1]!.retain).toBe(false);
    expect(currentRap.received.map((m) => [m.payload.length, m.retain])).toEqual([[0, true]]);
    expect(retained().get(`${p}/t`)).toBeUndefined();
    expect(retained().size).toBe(sizeWith - 1);

    const later = await subscribeAndSettle(broker.url, `${p}/#`, { qos: 1 }, `${p}/s2`);
    expect(later.received).toEqual([]);
    // Deleting what does not exist stores nothing either.
    await pub.client.publishAsync(`${p}/never`, Buffer.alloc(0), { qos: 0, retain: true });
    await pub.client.publishAsync(`${p}/t`, 'flush', { qos: 1 });
    expect(retained().size).toBe(sizeWith - 1);
  });

  it('[MQTT-3.3.1-8] a publication with RETAIN 0 neither stores nor replaces a retained message', async () => {
    const p = fresh('nonretained');
    const pub = await connectCollecting(broker.url);
    await pub.client.publishAsync(`${p}/t`, 'retained', { qos: 1, retain: true });
    await pub.client.publishAsync(`${p}/t`, 'not retained', { qos: 1, retain: false });
    await pub.client.publishAsync(`${p}/u`, 'not retained', { qos: 1, retain: false });
    const sub = await subscribeAndSettle(broker.url, `${p}/+`, { qos: 1 }, `${p}-s`);
    expect(sub.received.map((m) => [m.topic, m.payload.toString()])).toEqual([[`${p}/t`, 'retained']]);
    await pub.client.publishAsync(`${p}/t`, '', { qos: 1, retain: true });
  });

  it('[MQTT-3.3.1-5] a retained QoS 0 message is stored and sent on subscribe at QoS 0 with RETAIN 1', async () => {
    const p = fresh('qos0');
    const pub = await connectCollecting(broker.url);
    await pub.client.publishAsync(`${p}/t`, 'zero', { qos: 0, retain: true });
    // QoS 0 has no acknowledgement: wait until the broker has it.
    await waitFor(() => retained().get(`${p}/t`) !== undefined, 5000, 'the retained QoS 0 message');
    expect(retained().get(`${p}/t`)!.qos).toBe(0);
    const sub = await subscribeAndSettle(broker.url, `${p}/t`, { qos: 2 }, `${p}/s`);
    expect(sub.received.map((m) => [m.payload.toString(), m.qos, m.retain])).toEqual([['zero', 0, true]]);
    await pub.client.publishAsync(`${p}/t`, '', { qos: 1, retain: true });
  });

  it('[MQTT-3.3.1-9] a wildcard subscription receives every matching retained message, and only those', async () => {
    const p = fresh('wild');
    const pub = await connectCollecting(broker.url);
    const topics = [`${p}/a`, `${p}/b/c`, `${p}`, `${p}x/a`, `other/${p}`];
    for (const t of topics) await pub.client.publishAsync(t, `payload ${t}`, { qos: 1, retain: true });
    const hash = await subscribeAndSettle(broker.url, `${p}/#`, { qos: 1 }, `${p}-s1`);
    expect(hash.received.map((m) => m.topic).sort()).toEqual([p, `${p}/a`, `${p}/b/c`].sort());
    expect(hash.received.every((m) => m.retain && m.payload.toString() === `payload ${m.topic}`)).toBe(true);
    const plus = await subscribeAndSettle(broker.url, `+/a`, { qos: 1 }, `${p}-s2`);
    expect(plus.received.map((m) => m.topic).filter((t) => t.includes(p)).sort()).toEqual([`${p}/a`, `${p}x/a`].sort());
    for (const t of topics) await pub.client.publishAsync(t, '', { qos: 1, retain: true });
  });

  it('[MQTT-3.3.2-6] a retained message is sent with its Message Expiry Interval minus the time it waited', async () => {
    const p = fresh('expiry-left');
    const pub = await connectCollecting(broker.url);
    await pub.client.publishAsync(`${p}/t`, 'expiring', { qos: 1, retain: true, properties: { messageExpiryInterval: 60 } });
    await sleep(1100);
    const sub = await subscribeAndSettle(broker.url, `${p}/t`, { qos: 1 }, `${p}/s`);
    expect(sub.received).toHaveLength(1);
    const left = sub.received[0]!.properties?.messageExpiryInterval;
    expect(left).toBeGreaterThanOrEqual(57);
    expect(left).toBeLessThanOrEqual(59);
    await pub.client.publishAsync(`${p}/t`, '', { qos: 1, retain: true });
  });

  it('[MQTT-3.3.2-5] a retained message whose Message Expiry Interval has passed is no longer sent, and is removed', async () => {
    const p = fresh('expired');
    const pub = await connectCollecting(broker.url);
    await pub.client.publishAsync(`${p}/short`, 'short-lived', { qos: 1, retain: true, properties: { messageExpiryInterval: 1 } });
    await pub.client.publishAsync(`${p}/long`, 'long-lived', { qos: 1, retain: true, properties: { messageExpiryInterval: 3600 } });
    const early = await subscribeAndSettle(broker.url, `${p}/+`, { qos: 1 }, `${p}-s1`);
    expect(early.received.map((m) => m.topic).sort()).toEqual([`${p}/long`, `${p}/short`]);
    await sleep(1200);
    const late = await subscribeAndSettle(broker.url, `${p}/+`, { qos: 1 }, `${p}-s2`);
    expect(payloads(late.received)).toEqual(['long-lived']);
    expect(retained().get(`${p}/short`)).toBeUndefined();
    const exact = await subscribeAndSettle(broker.url, `${p}/short`, { qos: 1 }, `${p}-s3`);
    expect(exact.received).toEqual([]);
    await pub.client.publishAsync(`${p}/long`, '', { qos: 1, retain: true });
  });
});

describe('retained messages and $SYS', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker({ sysInterval: 1 });
  });
  afterAll(() => broker.close());

  it('[MQTT-4.7.2-1] $SYS and application retained messages coexist: "#" gets only the application ones, "$SYS/#" only the $SYS ones, and both are counted', async () => {
    const p = fresh('sys');
    const pub = await connectCollecting(broker.url);
    await pub.client.publishAsync(`${p}/a`, 'app a', { qos: 1, retain: true });
    await pub.client.publishAsync(`${p}/b`, 'app b', { qos: 1, retain: true });

    const all = await subscribeAndSettle(broker.url, '#', { qos: 0 }, `${p}/sentinel`);
    expect(all.received.map((m) => m.topic).sort()).toEqual([`${p}/a`, `${p}/b`]);

    const sys = await subscribeAndSettle(broker.url, '$SYS/#', { qos: 0 }, `${p}/sentinel2`);
    const sysTopics = sys.received.filter((m) => m.retain).map((m) => m.topic);
    expect(sysTopics.length).toBeGreaterThan(10);
    expect(sysTopics.every((t) => t.startsWith('$SYS/broker/'))).toBe(true);
    expect(sysTopics).toContain('$SYS/broker/version');
    const sysCount = new Set(sysTopics).size;
    expect(broker.broker.context.retained.size).toBe(sysCount + 2);

    // The broker's own count of retained messages includes both kinds.
    const counter = await connectCollecting(broker.url);
    await counter.client.subscribeAsync('$SYS/broker/retained messages/count', { qos: 0, rh: 2 });
    await waitFor(() => counter.received.length >= 1, 5000, 'a $SYS update');
    expect(Number(counter.received.at(-1)!.payload.toString())).toBe(sysCount + 2);
    for (const t of ['a', 'b']) await pub.client.publishAsync(`${p}/${t}`, '', { qos: 1, retain: true });
  });
});
