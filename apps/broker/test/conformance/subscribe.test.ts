import type mqttPacket from 'mqtt-packet';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { waitFor } from '../helpers/clients.js';
import { closeCollectingClients, connectCollecting, payloads, subscriptionIds } from '../helpers/collecting-client.js';
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

const VERSIONS = [4, 5] as const;
let unique = 0;
/** A topic prefix no other test uses. */
const fresh = (name: string): string => `sub-${name}-${++unique}`;

describe('topic filter validation in SUBSCRIBE', () => {
  for (const version of VERSIONS) {
    const failure = version === 5 ? 0x8f : 0x80;
    it(`[MQTT-4.7.1-1] [MQTT-4.7.1-2] [MQTT-4.7.3-1] invalid filters get ${failure.toString(16)} while valid ones in the same SUBSCRIBE are granted (protocol level ${version})`, async () => {
      const p = fresh('validate');
      const raw = await rawConnected(broker.port, version, { clientId: `${p}-raw` });
      const suback = await rawSubscribe(raw, version, 4242, [
        { topic: `${p}/ok`, qos: 1 },
        { topic: 'a/#/b', qos: 1 },
        { topic: 'a+', qos: 0 },
        { topic: '#/a', qos: 2 },
        { topic: '', qos: 0 },
        { topic: `${p}/+/x`, qos: 2 },
      ]);
      // [MQTT-3.8.4-2] same packet identifier; [MQTT-3.8.4-6] / [MQTT-3.9.3-1] one code per filter, in order.
      expect(suback.messageId).toBe(4242);
      expect(suback.granted).toEqual([1, failure, failure, failure, failure, 2]);
      expect([...broker.broker.context.sessions.get(`${p}-raw`)!.subscriptions.keys()].sort()).toEqual([`${p}/+/x`, `${p}/ok`]);

      // The connection stays open and the granted subscriptions deliver.
      const pub = await connectCollecting(broker.url, { protocolVersion: version });
      await pub.client.publishAsync(`${p}/ok`, 'one', { qos: 1 });
      await pub.client.publishAsync(`${p}/y/x`, 'two', { qos: 2 });
      const first = (await raw.next('publish')) as mqttPacket.IPublishPacket;
      expect([first.topic, first.payload.toString(), first.qos]).toEqual([`${p}/ok`, 'one', 1]);
      await raw.send({ cmd: 'puback', messageId: first.messageId! }, version);
      const second = (await raw.next('publish')) as mqttPacket.IPublishPacket;
      expect([second.topic, second.payload.toString(), second.qos]).toEqual([`${p}/y/x`, 'two', 2]);
      expect(raw.closed).toBe(false);
    });
  }
});

describe('wildcard matching', () => {
  for (const version of VERSIONS) {
    it(`[MQTT-4.7.1-2] '+' matches exactly one level, including an empty one (protocol level ${version})`, async () => {
      const p = fresh('plus');
      const sub = await connectCollecting(broker.url, { protocolVersion: version });
      await sub.client.subscribeAsync(`${p}/+/c`, { qos: 1 });
      const pub = await connectCollecting(broker.url, { protocolVersion: version });
      for (const topic of [`${p}/b/c`, `${p}/b/x/c`, `${p}/c`, `${p}//c`, `${p}/b/c/d`, `${p}/z/c`]) {
        await pub.client.publishAsync(topic, topic, { qos: 1 });
      }
      await waitFor(() => sub.received.some((m) => m.topic === `${p}/z/c`), 5000, 'the last matching message');
      expect(sub.received.map((m) => m.topic)).toEqual([`${p}/b/c`, `${p}//c`, `${p}/z/c`]);
    });

    it(`(4.7.1.2) '#' matches the parent level and any number of child levels: 'a/#' matches 'a' (protocol level ${version})`, async () => {
      const p = fresh('hash');
      const sub = await connectCollecting(broker.url, { protocolVersion: version });
      await sub.client.subscribeAsync(`${p}/#`, { qos: 1 });
      const pub = await connectCollecting(broker.url, { protocolVersion: version });
      for (const topic of [p, `${p}x`, `${p}/x`, `${p}/x/y/z`, `${p}/`, `other/${p}`, `${p}/end`]) {
        await pub.client.publishAsync(topic, topic, { qos: 1 });
      }
      await waitFor(() => sub.received.some((m) => m.topic === `${p}/end`), 5000, 'the last matching message');
      expect(sub.received.map((m) => m.topic)).toEqual([p, `${p}/x`, `${p}/x/y/z`, `${p}/`, `${p}/end`]);
    });
  }

  it("[MQTT-4.7.2-1] a topic starting with '$' is not matched by '#' or '+/...' but is by filters whose first level is that '$' level", async () => {
    const p = fresh('dollar');
    const filters = ['#', '+/bar', `+/${p}`, `$${p}/#`, `$${p}/+`, `$${p}/bar`];
    const subs = new Map<string, Awaited<ReturnType<typeof connectCollecting>>>();
    for (const filter of filters) {
      const sub = await connectCollecting(broker.url);
      await sub.client.subscribeAsync(filter, { qos: 1 });
      subs.set(filter, sub);
    }
    const pub = await connectCollecting(broker.url);
    await pub.client.publishAsync(`$${p}/bar`, 'dollar', { qos: 1 });
    // A sentinel every subscriber receives, sent after: once it arrives, anything before would have.
    await pub.client.publishAsync(`$${p}/bar`, 'sentinel', { qos: 1 });
    await pub.client.publishAsync(`x/${p}`, 'sentinel', { qos: 1 });
    await pub.client.publishAsync('x/bar', 'sentinel', { qos: 1 });
    for (const [filter, sub] of subs) {
      await waitFor(() => sub.received.filter((m) => m.payload.toString() === 'sentinel').length >= 1, 5000, `sentinel for ${filter}`);
    }
    await waitFor(() => subs.get('#')!.received.length >= 2, 5000, "both sentinels for '#'");
    expect(subs.get('#')!.received.map((m) => m.topic)).toEqual([`x/${p}`, 'x/bar']);
    expect(subs.get('+/bar')!.received.map((m) => m.topic)).toEqual(['x/bar']);
    expect(subs.get(`+/${p}`)!.received.map((m) => m.topic)).toEqual([`x/${p}`]);
    for (const filter of [`$${p}/#`, `$${p}/+`, `$${p}/bar`]) {
      expect(payloads(subs.get(filter)!.received), filter).toEqual(['dollar', 'sentinel']);
    }
  });
});

describe('overlapping subscriptions', () => {
  for (const version of VERSIONS) {
    it(`[MQTT-3.3.4-2] a message matching several subscriptions of a session is delivered once, at the highest granted QoS (protocol level ${version})`, async () => {
      const p = fresh('overlap');
      // The highest QoS on each kind of filter in turn, so that the order of matching cannot matter.
      const plans: Array<Record<string, 0 | 1 | 2>> = [
        { [`${p}/+`]: 0, [`${p}/#`]: 2, [`${p}/b`]: 1 },
        { [`${p}/+`]: 2, [`${p}/#`]: 0, [`${p}/b`]: 1 },
        { [`${p}/+`]: 1, [`${p}/#`]: 0, [`${p}/b`]: 2 },
      ];
      const subs = [];
      for (const plan of plans) {
        const sub = await connectCollecting(broker.url, { protocolVersion: version });
        const granted = await sub.client.subscribeAsync(Object.fromEntries(Object.entries(plan).map(([f, qos]) => [f, { qos }])));
        expect(granted.map((g) => g.qos)).toEqual(Object.values(plan));
        subs.push(sub);
      }
      const pub = await connectCollecting(broker.url, { protocolVersion: version });
      await pub.client.publishAsync(`${p}/b`, 'q2', { qos: 2 });
      await pub.client.publishAsync(`${p}/b`, 'q1', { qos: 1 });
      await pub.client.publishAsync(`${p}/b`, 'q0', { qos: 0 });
      // Only 'a/#' matches this one.
      await pub.client.publishAsync(`${p}/b/c`, 'deep', { qos: 2 });
      for (const [i, sub] of subs.entries()) {
        await waitFor(() => sub.received.some((m) => m.topic === `${p}/b/c`), 5000, 'the last message');
        expect(sub.received.map((m) => [m.topic, m.payload.toString(), m.qos])).toEqual([
          [`${p}/b`, 'q2', 2],
          [`${p}/b`, 'q1', 1],
          [`${p}/b`, 'q0', 0],
          [`${p}/b/c`, 'deep', plans[i]![`${p}/#`]!],
        ]);
      }
    });
  }

  it('[MQTT-3.3.4-3] [MQTT-3.3.4-4] the single copy carries the Subscription Identifiers of all matching subscriptions (5.0)', async () => {
    const p = fresh('subids');
    const sub = await connectCollecting(broker.url);
    await sub.client.subscribeAsync(`${p}/+`, { qos: 0, properties: { subscriptionIdentifier: 1 } });
    await sub.client.subscribeAsync(`${p}/#`, { qos: 2, properties: { subscriptionIdentifier: 2 } });
    await sub.client.subscribeAsync(`${p}/b`, { qos: 1, properties: { subscriptionIdentifier: 268435455 } });
    // Matches too, without an identifier; and one that does not match.
    await sub.client.subscribeAsync(`+/b`, { qos: 1 });
    await sub.client.subscribeAsync(`${p}/other`, { qos: 1, properties: { subscriptionIdentifier: 4 } });
    const pub = await connectCollecting(broker.url);
    await pub.client.publishAsync(`${p}/b`, 'all', { qos: 2 });
    await pub.client.publishAsync(`${p}/b/c`, 'hash only', { qos: 1 });
    await waitFor(() => sub.received.length >= 2, 5000, 'two messages');
    expect(sub.received).toHaveLength(2);
    expect(sub.received[0]!.qos).toBe(2);
    expect(subscriptionIds(sub.received[0]!)).toEqual([1, 2, 268435455]);
    expect(payloads(sub.received)).toEqual(['all', 'hash only']);
    expect(subscriptionIds(sub.received[1]!)).toEqual([2]);
  });

  it('(3.8.2.1.2) a Subscription Identifier of 0 is a Protocol Error: DISCONNECT 0x82 and the connection is closed', async () => {
    const p = fresh('subid0');
    const raw = await rawConnected(broker.port, 5);
    await raw.send({ cmd: 'subscribe', messageId: 7, properties: { subscriptionIdentifier: 0 }, subscriptions: [{ topic: `${p}/a`, qos: 1, nl: false, rap: false, rh: 0 }] }, 5);
    const disconnect = (await raw.next('disconnect')) as mqttPacket.IDisconnectPacket;
    expect(disconnect.reasonCode).toBe(0x82);
    expect(await raw.waitClosed()).toBe(true);
    expect(raw.packets.filter((pk) => pk.cmd === 'suback')).toEqual([]);
  });

  for (const version of VERSIONS) {
    it(`[MQTT-3.8.4-3] subscribing again to the same filter replaces the subscription: the new QoS applies and a message is delivered once (protocol level ${version})`, async () => {
      const p = fresh('replace');
      const sub = await connectCollecting(broker.url, { protocolVersion: version });
      await sub.client.subscribeAsync(`${p}/t`, { qos: 2 });
      const granted = await sub.client.subscribeAsync(`${p}/t`, { qos: 0 });
      expect(granted.map((g) => g.qos)).toEqual([0]);
      const session = broker.broker.context.sessions.get(sub.client.options.clientId!)!;
      expect([...session.subscriptions.keys()]).toEqual([`${p}/t`]);
      const pub = await connectCollecting(broker.url, { protocolVersion: version });
      await pub.client.publishAsync(`${p}/t`, 'once', { qos: 2 });
      await pub.client.publishAsync(`${p}/t`, 'sentinel', { qos: 1 });
      await waitFor(() => sub.received.length >= 2, 5000, 'two messages');
      expect(sub.received.map((m) => [m.payload.toString(), m.qos])).toEqual([
        ['once', 0],
        ['sentinel', 0],
      ]);
    });
  }

  it('[MQTT-3.8.4-3] the replacing subscription brings its own Subscription Identifier (5.0)', async () => {
    const p = fresh('replace-id');
    const sub = await connectCollecting(broker.url);
    await sub.client.subscribeAsync(`${p}/t`, { qos: 1, properties: { subscriptionIdentifier: 7 } });
    await sub.client.subscribeAsync(`${p}/t`, { qos: 1, properties: { subscriptionIdentifier: 8 } });
    const pub = await connectCollecting(broker.url);
    await pub.client.publishAsync(`${p}/t`, 'x', { qos: 1 });
    await pub.client.publishAsync(`${p}/t`, 'sentinel', { qos: 1 });
    await waitFor(() => sub.received.length >= 2, 5000, 'two messages');
    expect(sub.received).toHaveLength(2);
    expect(subscriptionIds(sub.received[0]!)).toEqual([8]);
  });
});

describe('subscription options (5.0)', () => {
  it('[MQTT-3.8.3-3] No Local: messages are not sent back to the publishing client, others are', async () => {
    const p = fresh('nolocal');
    const a = await connectCollecting(broker.url);
    const b = await connectCollecting(broker.url);
    await a.client.subscribeAsync(`${p}/t`, { qos: 1, nl: true });
    await b.client.subscribeAsync(`${p}/t`, { qos: 1, nl: true });
    await a.client.publishAsync(`${p}/t`, 'from-a', { qos: 1 });
    await b.client.publishAsync(`${p}/t`, 'from-b', { qos: 1 });
    await waitFor(() => a.received.length >= 1 && b.received.length >= 1, 5000, 'one message each');
    // The other's message comes after the own one was (not) routed: nothing else can arrive.
    await a.client.publishAsync(`${p}/t`, 'from-a-2', { qos: 1 });
    await waitFor(() => b.received.length >= 2, 5000, "a's second message at b");
    expect(payloads(a.received)).toEqual(['from-b']);
    expect(payloads(b.received)).toEqual(['from-a', 'from-a-2']);
  });

  it('[MQTT-3.8.3-3] without No Local a client receives its own messages', async () => {
    const p = fresh('local');
    const a = await connectCollecting(broker.url);
    await a.client.subscribeAsync(`${p}/t`, { qos: 1, nl: false });
    await a.client.publishAsync(`${p}/t`, 'mine', { qos: 1 });
    await waitFor(() => a.received.length >= 1, 5000, 'own message');
    expect(payloads(a.received)).toEqual(['mine']);
  });

  it('[MQTT-3.3.1-12] [MQTT-3.3.1-13] Retain As Published: the RETAIN flag is kept on forwarded messages only with RAP 1', async () => {
    const p = fresh('rap');
    const rap0 = await connectCollecting(broker.url);
    const rap1 = await connectCollecting(broker.url);
    await rap0.client.subscribeAsync(`${p}/t`, { qos: 1, rap: false });
    await rap1.client.subscribeAsync(`${p}/t`, { qos: 1, rap: true });
    const pub = await connectCollecting(broker.url);
    await pub.client.publishAsync(`${p}/t`, 'retained', { qos: 1, retain: true });
    await pub.client.publishAsync(`${p}/t`, 'plain', { qos: 1, retain: false });
    await waitFor(() => rap0.received.length >= 2 && rap1.received.length >= 2, 5000, 'two messages each');
    expect(rap0.received.map((m) => [m.payload.toString(), m.retain])).toEqual([
      ['retained', false],
      ['plain', false],
    ]);
    expect(rap1.received.map((m) => [m.payload.toString(), m.retain])).toEqual([
      ['retained', true],
      ['plain', false],
    ]);
    await pub.client.publishAsync(`${p}/t`, '', { qos: 1, retain: true }); // clean up the retained message
  });

  it('(3.3.1.3) 3.1.1: messages forwarded on an established subscription have RETAIN 0', async () => {
    const p = fresh('retain311');
    const sub = await connectCollecting(broker.url, { protocolVersion: 4 });
    await sub.client.subscribeAsync(`${p}/t`, { qos: 1 });
    const pub = await connectCollecting(broker.url, { protocolVersion: 4 });
    await pub.client.publishAsync(`${p}/t`, 'retained', { qos: 1, retain: true });
    await waitFor(() => sub.received.length >= 1, 5000, 'the message');
    expect(sub.received.map((m) => [m.payload.toString(), m.retain])).toEqual([['retained', false]]);
    await pub.client.publishAsync(`${p}/t`, '', { qos: 1, retain: true });
  });

  describe('Retain Handling', () => {
    /** A retained message on `${p}/t`, and a publisher for sentinels. */
    async function withRetained(p: string) {
      const pub = await connectCollecting(broker.url);
      await pub.client.publishAsync(`${p}/t`, 'retained', { qos: 1, retain: true });
      return pub;
    }

    it('[MQTT-3.3.1-9] [MQTT-3.8.4-4] Retain Handling 0: retained messages are sent on every subscribe, including one that replaces a subscription', async () => {
      const p = fresh('rh0');
      const pub = await withRetained(p);
      const sub = await connectCollecting(broker.url);
      await sub.client.subscribeAsync(`${p}/t`, { qos: 1, rh: 0 });
      await sub.client.subscribeAsync(`${p}/t`, { qos: 1, rh: 0 });
      await pub.client.publishAsync(`${p}/t`, 'sentinel', { qos: 1 });
      await waitFor(() => sub.received.some((m) => m.payload.toString() === 'sentinel'), 5000, 'sentinel');
      expect(sub.received.map((m) => [m.payload.toString(), m.retain])).toEqual([
        ['retained', true],
        ['retained', true],
        ['sentinel', false],
      ]);
    });

    it('[MQTT-3.3.1-10] Retain Handling 1: retained messages are sent only if the subscription did not already exist', async () => {
      const p = fresh('rh1');
      const pub = await withRetained(p);
      const sub = await connectCollecting(broker.url);
      await sub.client.subscribeAsync(`${p}/t`, { qos: 1, rh: 1 });
      await sub.client.subscribeAsync(`${p}/t`, { qos: 1, rh: 1 });
      await pub.client.publishAsync(`${p}/t`, 'sentinel-1', { qos: 1 });
      await waitFor(() => sub.received.some((m) => m.payload.toString() === 'sentinel-1'), 5000, 'first sentinel');
      expect(payloads(sub.received)).toEqual(['retained', 'sentinel-1']);
      expect(sub.received[0]!.retain).toBe(true);
      // After UNSUBSCRIBE the subscription no longer exists: a new one gets the retained message again.
      await sub.client.unsubscribeAsync(`${p}/t`);
      await sub.client.subscribeAsync(`${p}/t`, { qos: 1, rh: 1 });
      await pub.client.publishAsync(`${p}/t`, 'sentinel-2', { qos: 1 });
      await waitFor(() => sub.received.some((m) => m.payload.toString() === 'sentinel-2'), 5000, 'second sentinel');
      expect(payloads(sub.received)).toEqual(['retained', 'sentinel-1', 'retained', 'sentinel-2']);
    });

    it('[MQTT-3.3.1-11] Retain Handling 2: retained messages are not sent at the time of the subscribe', async () => {
      const p = fresh('rh2');
      const pub = await withRetained(p);
      const sub = await connectCollecting(broker.url);
      await sub.client.subscribeAsync(`${p}/t`, { qos: 1, rh: 2 });
      await sub.client.subscribeAsync(`${p}/+`, { qos: 1, rh: 2 });
      await pub.client.publishAsync(`${p}/t`, 'sentinel', { qos: 1 });
      await waitFor(() => sub.received.some((m) => m.payload.toString() === 'sentinel'), 5000, 'sentinel');
      expect(payloads(sub.received)).toEqual(['sentinel']);
    });
  });
});
