import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { closeAllClients, collect, connectClient, sleep, waitFor } from '../helpers/clients.js';
import { WirePeer, closeRecordingClients, connectRecording, endClient, rawUserProperties, type Version } from '../helpers/wire-peer.js';

/**
 * PUBLISH properties (3.3.2.3): application properties forwarded unchanged to 5.0 subscribers
 * and left out for 3.1.1 ones, Payload Format Indicator validation, Message Expiry Interval,
 * and the RETAIN flag on forwarding.
 */

let broker: TestBroker;
const peers: WirePeer[] = [];
const peer = (version: Version): WirePeer => {
  const p = new WirePeer(broker.port, version);
  peers.push(p);
  return p;
};
let seq = 0;
const uniqueTopic = (prefix: string): string => `${prefix}/${process.pid}-${++seq}`;
const text = (p: { payload: Buffer | string }): string => p.payload.toString();

beforeAll(async () => {
  broker = await startTestBroker();
});
afterAll(() => broker.close());
afterEach(async () => {
  for (const p of peers.splice(0)) p.destroy();
  await closeAllClients();
  await closeRecordingClients();
});

const APPLICATION_PROPERTIES = {
  payloadFormatIndicator: true,
  contentType: 'application/json; charset=utf-8',
  responseTopic: 'replies/for/me',
  correlationData: Buffer.from([0x00, 0xff, 0x10, 0x80, 0x7f]),
  userProperties: { trace: ['t-1', 't-2', 't-3'], tenant: 'ünïcødé', empty: '' },
};

describe('application properties', () => {
  it('[MQTT-3.3.2-4] [MQTT-3.3.2-15] [MQTT-3.3.2-16] [MQTT-3.3.2-17] [MQTT-3.3.2-20] Payload Format Indicator, Content Type, Response Topic, Correlation Data and User Properties (repeated keys too) reach 5.0 subscribers unchanged', async () => {
    const topic = uniqueTopic('props');
    const subs = [];
    for (const qos of [0, 1, 2] as const) {
      const client = await connectClient(broker.url);
      const got = collect(client);
      await client.subscribeAsync(topic, { qos });
      subs.push(got);
    }
    const pub = await connectClient(broker.url);
    await pub.publishAsync(topic, '{"ok":true}', { qos: 2, properties: APPLICATION_PROPERTIES });
    for (const got of subs) {
      await waitFor(() => got.length === 1, 3000, 'the message');
      const p = got[0]!;
      expect(text(p)).toBe('{"ok":true}');
      expect(p.properties).toMatchObject({
        payloadFormatIndicator: true,
        contentType: APPLICATION_PROPERTIES.contentType,
        responseTopic: APPLICATION_PROPERTIES.responseTopic,
        userProperties: APPLICATION_PROPERTIES.userProperties,
      });
      expect(Buffer.compare(p.properties!.correlationData as Buffer, APPLICATION_PROPERTIES.correlationData)).toBe(0);
    }
  });

  it('[MQTT-3.3.2-17] [MQTT-3.3.2-18] User Properties with a repeated key keep their values in order on the wire', async () => {
    const topic = uniqueTopic('props/order');
    const sub = peer(5);
    await sub.connect();
    await sub.subscribe(topic, 0);
    const pub = peer(5);
    await pub.connect();
    await pub.send({ cmd: 'publish', topic, payload: Buffer.from('x'), qos: 0, retain: false, dup: false, properties: { userProperties: { k: ['3', '1', '2'], z: 'last' } } });
    await sub.next('publish');
    const frame = sub.frames.find((f) => f[0]! >> 4 === 3)!;
    expect(rawUserProperties(frame)).toEqual([
      ['k', '3'],
      ['k', '1'],
      ['k', '2'],
      ['z', 'last'],
    ]);
  });

  // mqtt-packet parses User Properties into an object keyed by name, so interleaved keys
  // (a, b, a) come out grouped (a, a, b). Preserving them needs the codec to keep the raw
  // property list: a codec redesign, reported rather than patched here.
  it.fails('[MQTT-3.3.2-18] User Properties with interleaved keys keep their wire order', async () => {
    const topic = uniqueTopic('props/interleaved');
    const sub = peer(5);
    await sub.connect();
    await sub.subscribe(topic, 0);
    const pub = peer(5);
    await pub.connect();
    // Hand-built PUBLISH QoS 0 with User Properties a=1, b=2, a=3.
    const userProperty = (k: string, v: string) => Buffer.concat([Buffer.from([0x26, 0, k.length]), Buffer.from(k), Buffer.from([0, v.length]), Buffer.from(v)]);
    const props = Buffer.concat([userProperty('a', '1'), userProperty('b', '2'), userProperty('a', '3')]);
    const body = Buffer.concat([Buffer.from([0, topic.length]), Buffer.from(topic), Buffer.from([props.length]), props, Buffer.from('x')]);
    await pub.write(Buffer.concat([Buffer.from([0x30, body.length]), body]));
    await sub.next('publish');
    const frame = sub.frames.find((f) => f[0]! >> 4 === 3)!;
    expect(rawUserProperties(frame)).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['a', '3'],
    ]);
  });

  it('(3.3.2.3) a 3.1.1 subscriber gets the payload without any of the 5.0 properties', async () => {
    const topic = uniqueTopic('props/v4');
    const sub = peer(4);
    await sub.connect();
    await sub.subscribe(topic, 1);
    const pub = await connectClient(broker.url);
    await pub.publishAsync(topic, 'payload only', { qos: 1, properties: { ...APPLICATION_PROPERTIES, messageExpiryInterval: 60 } });
    const p = await sub.next('publish');
    expect(text(p)).toBe('payload only');
    expect(p.properties).toBeUndefined();
    // On the wire: fixed header, remaining length, topic, packet id, payload: nothing else.
    const frame = sub.frames.find((f) => f[0]! >> 4 === 3)!;
    expect(frame.length).toBe(2 + 2 + Buffer.byteLength(topic) + 2 + 'payload only'.length);
  });

  it('(3.3.2.3.2) Payload Format Indicator 1 with a payload that is not UTF-8: PUBACK / PUBREC 0x99, not delivered', async () => {
    const topic = uniqueTopic('props/pfi');
    const sub = peer(5);
    await sub.connect();
    await sub.subscribe(topic, 2);
    const pub = peer(5);
    await pub.connect();
    const bad = Buffer.from([0x68, 0x69, 0xff, 0xfe]);
    await pub.send({ cmd: 'publish', topic, payload: bad, qos: 1, messageId: 1, retain: false, dup: false, properties: { payloadFormatIndicator: true } });
    expect(await pub.next('puback')).toMatchObject({ messageId: 1, reasonCode: 0x99 });
    await pub.send({ cmd: 'publish', topic, payload: bad, qos: 2, messageId: 2, retain: false, dup: false, properties: { payloadFormatIndicator: true } });
    expect(await pub.next('pubrec')).toMatchObject({ messageId: 2, reasonCode: 0x99 });
    // [MQTT-4.3.3-9] after a PUBREC >= 0x80 the same id is a new message.
    await pub.send({ cmd: 'publish', topic, payload: Buffer.from('fine'), qos: 2, messageId: 2, retain: false, dup: false, properties: { payloadFormatIndicator: true } });
    expect(await pub.next('pubrec')).toMatchObject({ messageId: 2, reasonCode: 0 });
    // The same bytes flagged as binary (0) are fine.
    await pub.send({ cmd: 'publish', topic, payload: bad, qos: 1, messageId: 3, retain: false, dup: false, properties: { payloadFormatIndicator: false } });
    expect(await pub.next('puback')).toMatchObject({ messageId: 3, reasonCode: 0 });

    const first = await sub.next('publish');
    const second = await sub.next('publish');
    expect(text(first)).toBe('fine');
    expect(first.properties?.payloadFormatIndicator).toBe(true);
    expect(Buffer.compare(second.payload as Buffer, bad)).toBe(0);
    expect(second.properties?.payloadFormatIndicator).toBe(false);
    expect(pub.closed).toBe(false);
  });
});

describe('Message Expiry Interval', () => {
  const persistent = (version: Version, clientId: string) =>
    version === 5 ? { clientId, clean: false, properties: { sessionExpiryInterval: 60 } } : { clientId, clean: false, protocolVersion: 4 as const };

  it('[MQTT-3.3.2-6] a message forwarded at once carries the interval it was published with', async () => {
    const topic = uniqueTopic('expiry/live');
    const sub = await connectClient(broker.url);
    const got = collect(sub);
    await sub.subscribeAsync(topic, { qos: 1 });
    const pub = await connectClient(broker.url);
    await pub.publishAsync(topic, 'fresh', { qos: 1, properties: { messageExpiryInterval: 10 } });
    await pub.publishAsync(topic, 'forever', { qos: 1 });
    await waitFor(() => got.length === 2, 3000, 'two messages');
    expect(got[0]!.properties?.messageExpiryInterval).toBeGreaterThanOrEqual(9);
    expect(got[0]!.properties?.messageExpiryInterval).toBeLessThanOrEqual(10);
    // No interval published, none forwarded.
    expect(got[1]!.properties?.messageExpiryInterval).toBeUndefined();
  });

  it('[MQTT-3.3.2-6] a message queued for ~2 s for an offline session is forwarded with the interval reduced by the wait', async () => {
    const topic = uniqueTopic('expiry/queued');
    const clientId = `expiry-queued-${seq}`;
    const first = await connectRecording(broker.url, persistent(5, clientId));
    await first.client.subscribeAsync(topic, { qos: 1 });
    await endClient(first.client);
    await waitFor(() => broker.broker.context.sessions.get(clientId)?.connected === false, 3000, 'the session to go offline');

    const pub = await connectClient(broker.url);
    await pub.publishAsync(topic, 'waited', { qos: 1, properties: { messageExpiryInterval: 10 } });
    await sleep(2100);
    const again = await connectRecording(broker.url, persistent(5, clientId));
    await waitFor(() => again.received.length === 1, 3000, 'the queued message');
    const interval = again.received[0]!.properties?.messageExpiryInterval;
    expect(text(again.received[0]!)).toBe('waited');
    expect(interval).toBeGreaterThanOrEqual(1);
    expect(interval).toBeLessThanOrEqual(8);
  });

  for (const version of [4, 5] as const) {
    const v = version === 5 ? '5.0' : '3.1.1';
    it(`[MQTT-3.3.2-5] a message that expired while queued for an offline session is never delivered (${v} subscriber)`, async () => {
      const topic = uniqueTopic('expiry/expired');
      const clientId = `expiry-expired-${version}-${seq}`;
      const first = await connectRecording(broker.url, persistent(version, clientId));
      await first.client.subscribeAsync(topic, { qos: 1 });
      await endClient(first.client);
      await waitFor(() => broker.broker.context.sessions.get(clientId)?.connected === false, 3000, 'the session to go offline');

      const pub = await connectClient(broker.url);
      await pub.publishAsync(topic, 'short-lived', { qos: 1, properties: { messageExpiryInterval: 1 } });
      await pub.publishAsync(topic, 'long-lived', { qos: 1, properties: { messageExpiryInterval: 60 } });
      const dropped = broker.broker.context.metrics.publishDropped;
      await sleep(2500);
      const again = await connectRecording(broker.url, persistent(version, clientId));
      await waitFor(() => again.received.length >= 1, 3000, 'the unexpired message');
      // A marker published now arrives after anything the resumed session still held.
      await pub.publishAsync(topic, 'marker', { qos: 1 });
      await waitFor(() => again.received.some((p) => text(p) === 'marker'), 3000, 'the marker');
      expect(again.received.map(text)).toEqual(['long-lived', 'marker']);
      expect(broker.broker.context.metrics.publishDropped - dropped).toBe(1);
    });
  }

  it('[MQTT-3.3.2-5] a retained message is not delivered to new subscribers once it has expired; before that it is, with the reduced interval', async () => {
    const topic = uniqueTopic('expiry/retained');
    const pub = await connectClient(broker.url);
    await pub.publishAsync(`${topic}/short`, 'short', { qos: 1, retain: true, properties: { messageExpiryInterval: 2 } });
    await pub.publishAsync(`${topic}/long`, 'long', { qos: 1, retain: true, properties: { messageExpiryInterval: 30 } });

    const early = await connectClient(broker.url);
    const earlyGot = collect(early);
    await early.subscribeAsync(`${topic}/+`, { qos: 1 });
    await waitFor(() => earlyGot.length === 2, 3000, 'both retained messages');
    expect(earlyGot.map(text).sort()).toEqual(['long', 'short']);

    await sleep(3100);
    for (const version of [4, 5] as const) {
      const late = await connectClient(broker.url, { protocolVersion: version });
      const lateGot = collect(late);
      await late.subscribeAsync(`${topic}/+`, { qos: 1 });
      await waitFor(() => lateGot.length >= 1, 3000, 'the unexpired retained message');
      // The SUBACK and retained messages are sent together: a round trip later nothing else came.
      await late.publishAsync(`${topic}/marker`, 'marker', { qos: 1 });
      await waitFor(() => lateGot.some((p) => text(p) === 'marker'), 3000, 'the marker');
      expect(lateGot.map((p) => [text(p), p.retain])).toEqual([
        ['long', true],
        ['marker', false],
      ]);
      if (version === 5) {
        const interval = lateGot[0]!.properties?.messageExpiryInterval;
        expect(interval).toBeGreaterThanOrEqual(1);
        expect(interval).toBeLessThanOrEqual(28);
      }
    }
  });
});

describe('RETAIN flag when forwarding', () => {
  for (const version of [4, 5] as const) {
    const v = version === 5 ? '5.0' : '3.1.1';
    it(`[MQTT-3.3.1-12] a retained publication forwarded to an established subscription has RETAIN 0 (${v})`, async () => {
      const topic = uniqueTopic('retain/forward');
      const sub = peer(version);
      await sub.connect();
      await sub.subscribe(topic, 1);
      const pub = await connectClient(broker.url, { protocolVersion: version });
      await pub.publishAsync(topic, 'retained', { qos: 1, retain: true });
      await pub.publishAsync(topic, 'plain', { qos: 1, retain: false });
      const a = await sub.next('publish');
      const b = await sub.next('publish');
      expect([text(a), a.retain, text(b), b.retain]).toEqual(['retained', false, 'plain', false]);
      // The fixed header's RETAIN bit itself is 0.
      expect(sub.frames.filter((f) => f[0]! >> 4 === 3).map((f) => f[0]! & 1)).toEqual([0, 0]);
      await pub.publishAsync(topic, '', { qos: 1, retain: true }); // clear the retained message
    });
  }

  it('[MQTT-3.3.1-13] with Retain As Published the RETAIN flag is the one the publisher set', async () => {
    const topic = uniqueTopic('retain/rap');
    const sub = peer(5);
    await sub.connect();
    await sub.subscribe(topic, 1, { rap: true });
    const pub = await connectClient(broker.url);
    await pub.publishAsync(topic, 'retained', { qos: 1, retain: true });
    await pub.publishAsync(topic, 'plain', { qos: 1, retain: false });
    const a = await sub.next('publish');
    const b = await sub.next('publish');
    expect([text(a), a.retain, text(b), b.retain]).toEqual(['retained', true, 'plain', false]);
    await pub.publishAsync(topic, '', { qos: 1, retain: true });
  });
});
