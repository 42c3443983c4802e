import type { IPublishPacket } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { closeAllClients, collect, connectClient, waitFor } from '../helpers/clients.js';
import { WirePeer, type Version } from '../helpers/wire-peer.js';

/**
 * QoS 0, 1 and 2 flows in both directions (4.3), packet identifiers the broker allocates (2.2.1),
 * QoS 2 de-duplication, QoS downgrade and Maximum QoS.
 */

let broker: TestBroker;
const peers: WirePeer[] = [];
const peer = (version: Version, port = broker.port): WirePeer => {
  const p = new WirePeer(port, version);
  peers.push(p);
  return p;
};
let topicSeq = 0;
const uniqueTopic = (prefix: string): string => `${prefix}/${process.pid}-${++topicSeq}`;
const text = (p: { payload: Buffer | string }): string => p.payload.toString();

beforeAll(async () => {
  // Queue enough for the identifier wrap-around test.
  broker = await startTestBroker({ maxQueuedMessages: 100000 });
});
afterAll(() => broker.close());
afterEach(async () => {
  for (const p of peers.splice(0)) p.destroy();
  await closeAllClients();
});

for (const version of [4, 5] as const) {
  const v = version === 5 ? '5.0' : '3.1.1';

  describe(`inbound flows (${v})`, () => {
    it(`[MQTT-4.3.1-1] QoS 0: no acknowledgement to the publisher; forwarded with QoS 0, DUP 0, no packet identifier (${v})`, async () => {
      const topic = uniqueTopic('q0');
      const sub = peer(version);
      await sub.connect();
      expect(await sub.subscribe(topic, 2)).toEqual([2]);
      const pub = peer(version);
      await pub.connect();
      await pub.send({ cmd: 'publish', topic, payload: Buffer.from('zero'), qos: 0, retain: false, dup: false });
      await pub.send({ cmd: 'publish', topic, payload: Buffer.from('marker'), qos: 1, messageId: 7, retain: false, dup: false });
      expect(await pub.next('puback')).toMatchObject({ messageId: 7 });
      const first = await sub.next('publish');
      expect(first).toMatchObject({ topic, qos: 0, dup: false });
      expect(first.messageId).toBeUndefined();
      expect(text(first)).toBe('zero');
      // Fixed header: PUBLISH, DUP 0, QoS 0, RETAIN 0.
      expect(sub.frames.find((f) => f[0]! >> 4 === 3)![0]).toBe(0x30);
      // Nothing but the marker's PUBACK went back to the publisher.
      expect(pub.received.map((p) => p.cmd)).toEqual(['connack', 'puback']);
    });

    it(`[MQTT-4.3.2-4] QoS 1: PUBACK with the PUBLISH's packet identifier, delivered once (${v})`, async () => {
      const topic = uniqueTopic('q1');
      const sub = await connectClient(broker.url, { protocolVersion: version });
      const received = collect(sub);
      await sub.subscribeAsync(topic, { qos: 1 });
      const pub = peer(version);
      await pub.connect();
      await pub.send({ cmd: 'publish', topic, payload: Buffer.from('one'), qos: 1, messageId: 4242, retain: false, dup: false });
      const puback = await pub.next('puback');
      expect(puback.messageId).toBe(4242);
      if (version === 5) expect(puback.reasonCode).toBe(0);
      await waitFor(() => received.length === 1, 3000, 'the message');
      expect(received.map((p) => [p.topic, text(p), p.qos])).toEqual([[topic, 'one', 1]]);
    });

    it(`[MQTT-4.3.3-8] [MQTT-4.3.3-11] QoS 2: PUBREC, then PUBCOMP for the PUBREL, same packet identifier; delivered once (${v})`, async () => {
      const topic = uniqueTopic('q2');
      const sub = await connectClient(broker.url, { protocolVersion: version });
      const received = collect(sub);
      await sub.subscribeAsync(topic, { qos: 2 });
      const pub = peer(version);
      await pub.connect();
      await pub.send({ cmd: 'publish', topic, payload: Buffer.from('two'), qos: 2, messageId: 513, retain: false, dup: false });
      const pubrec = await pub.next('pubrec');
      expect(pubrec.messageId).toBe(513);
      if (version === 5) expect(pubrec.reasonCode).toBe(0);
      await pub.send({ cmd: 'pubrel', messageId: 513 });
      const pubcomp = await pub.next('pubcomp');
      expect(pubcomp.messageId).toBe(513);
      if (version === 5) expect(pubcomp.reasonCode).toBe(0);
      await waitFor(() => received.length === 1, 3000, 'the message');
      expect(received.map((p) => [text(p), p.qos])).toEqual([['two', 2]]);
    });

    it(`[MQTT-4.3.3-10] [MQTT-4.3.3-12] QoS 2 retransmission with DUP before PUBREL gets PUBREC again and is not delivered twice; after PUBCOMP the id is a new message (${v})`, async () => {
      const topic = uniqueTopic('dedupe');
      const sub = await connectClient(broker.url, { protocolVersion: version });
      const received = collect(sub);
      await sub.subscribeAsync(topic, { qos: 2 });
      const pub = peer(version);
      await pub.connect();
      const publish = (payload: string, dup: boolean) =>
        pub.send({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 2, messageId: 10, retain: false, dup });

      await publish('once', false);
      expect(await pub.next('pubrec')).toMatchObject({ messageId: 10 });
      await publish('once', true);
      const again = await pub.next('pubrec');
      expect(again.messageId).toBe(10);
      if (version === 5) expect(again.reasonCode).toBe(0);
      // A marker behind the retransmission: once it arrives, a duplicate would have arrived too.
      await pub.send({ cmd: 'publish', topic, payload: Buffer.from('marker'), qos: 1, messageId: 11, retain: false, dup: false });
      await pub.next('puback');
      await waitFor(() => received.some((p) => text(p) === 'marker'), 3000, 'the marker');
      expect(received.map(text)).toEqual(['once', 'marker']);

      await pub.send({ cmd: 'pubrel', messageId: 10 });
      expect(await pub.next('pubcomp')).toMatchObject({ messageId: 10 });
      await publish('again', false);
      expect(await pub.next('pubrec')).toMatchObject({ messageId: 10 });
      await pub.send({ cmd: 'pubrel', messageId: 10 });
      await pub.next('pubcomp');
      await waitFor(() => received.length === 3, 3000, 'the reused identifier delivered');
      expect(received.map(text)).toEqual(['once', 'marker', 'again']);
    });

    it(`[MQTT-4.3.2-5] QoS 1: a PUBLISH reusing an acknowledged packet identifier is a new message, DUP or not (${v})`, async () => {
      const topic = uniqueTopic('q1-reuse');
      const sub = await connectClient(broker.url, { protocolVersion: version });
      const received = collect(sub);
      await sub.subscribeAsync(topic, { qos: 1 });
      const pub = peer(version);
      await pub.connect();
      await pub.send({ cmd: 'publish', topic, payload: Buffer.from('a'), qos: 1, messageId: 20, retain: false, dup: false });
      await pub.next('puback');
      await pub.send({ cmd: 'publish', topic, payload: Buffer.from('b'), qos: 1, messageId: 20, retain: false, dup: true });
      expect(await pub.next('puback')).toMatchObject({ messageId: 20 });
      await waitFor(() => received.length === 2, 3000, 'both messages');
      expect(received.map(text)).toEqual(['a', 'b']);
    });

    it(`[MQTT-4.3.3-11] PUBREL for an unknown packet identifier is answered with PUBCOMP${version === 5 ? ' 0x92 (Packet Identifier not found)' : ''} (${v})`, async () => {
      const pub = peer(version);
      await pub.connect();
      await pub.send({ cmd: 'pubrel', messageId: 999 });
      const pubcomp = await pub.next('pubcomp');
      expect(pubcomp.messageId).toBe(999);
      if (version === 5) expect(pubcomp.reasonCode).toBe(0x92);
      else expect(pub.frames.at(-1)).toEqual(Buffer.from([0x70, 0x02, 0x03, 0xe7]));
      expect(pub.closed).toBe(false);
    });

    it(`[MQTT-3.3.1-3] the DUP flag of an incoming PUBLISH is not propagated to subscribers (${v})`, async () => {
      const topic = uniqueTopic('dup');
      const sub = peer(version);
      await sub.connect();
      await sub.subscribe(topic, 1);
      const pub = peer(version);
      await pub.connect();
      await pub.send({ cmd: 'publish', topic, payload: Buffer.from('x'), qos: 1, messageId: 3, retain: false, dup: true });
      await pub.next('puback');
      const forwarded = await sub.next('publish');
      expect(forwarded).toMatchObject({ qos: 1, dup: false });
    });
  });

  describe(`outbound flows to a subscriber acknowledging by hand (${v})`, () => {
    it(`[MQTT-4.3.2-1] [MQTT-4.3.2-2] [MQTT-4.3.2-3] QoS 1: PUBLISH with a non-zero packet identifier and DUP 0, unacknowledged until PUBACK (${v})`, async () => {
      const topic = uniqueTopic('out-q1');
      const clientId = `out-q1-${version}-${topicSeq}`;
      const sub = peer(version);
      await sub.connect({ clientId });
      await sub.subscribe(topic, 1);
      const pub = await connectClient(broker.url, { protocolVersion: version });
      await pub.publishAsync(topic, 'hello', { qos: 1 });
      const publish = await sub.next('publish');
      expect(publish).toMatchObject({ topic, qos: 1, dup: false });
      expect(publish.messageId).toBeGreaterThan(0);
      const session = broker.broker.context.sessions.get(clientId)!;
      expect([...session.inflight.keys()]).toEqual([publish.messageId]);
      await sub.send({ cmd: 'puback', messageId: publish.messageId! });
      await waitFor(() => session.inflight.size === 0, 3000, 'the delivery to complete');
      expect(sub.count('publish')).toBe(0);
    });

    it(`[MQTT-4.3.3-1] [MQTT-4.3.3-2] [MQTT-4.3.3-4] [MQTT-4.3.3-5] QoS 2: PUBLISH -> PUBREC -> PUBREL with the same id -> PUBCOMP (${v})`, async () => {
      const topic = uniqueTopic('out-q2');
      const clientId = `out-q2-${version}-${topicSeq}`;
      const sub = peer(version);
      await sub.connect({ clientId });
      await sub.subscribe(topic, 2);
      const pub = await connectClient(broker.url, { protocolVersion: version });
      await pub.publishAsync(topic, 'exactly once', { qos: 2 });
      const publish = await sub.next('publish');
      expect(publish).toMatchObject({ topic, qos: 2, dup: false });
      expect(publish.messageId).toBeGreaterThan(0);
      expect(text(publish)).toBe('exactly once');
      await sub.send({ cmd: 'pubrec', messageId: publish.messageId! });
      const pubrel = await sub.next('pubrel');
      expect(pubrel.messageId).toBe(publish.messageId);
      if (version === 5) expect(pubrel.reasonCode ?? 0).toBe(0);
      const session = broker.broker.context.sessions.get(clientId)!;
      // [MQTT-4.3.3-5] the PUBREL stays unacknowledged until PUBCOMP.
      expect(session.inflight.get(publish.messageId!)?.state).toBe('pubrel');
      await sub.send({ cmd: 'pubcomp', messageId: publish.messageId! });
      await waitFor(() => session.inflight.size === 0, 3000, 'the delivery to complete');
      // [MQTT-4.3.3-6] the PUBLISH is never sent again once PUBREL was sent.
      expect(sub.count('publish')).toBe(0);
    });

    it(`[MQTT-4.4.0-1] [MQTT-3.3.1-1] a resumed session gets the unacknowledged QoS 1 PUBLISH again with DUP 1 and its original id, not the acknowledged one (${v})`, async () => {
      const topic = uniqueTopic('resend');
      const clientId = `resend-${version}-${topicSeq}`;
      const connectOptions = version === 5 ? { clientId, clean: false, properties: { sessionExpiryInterval: 60 } } : { clientId, clean: false };
      const sub = peer(version);
      await sub.connect(connectOptions);
      await sub.subscribe(topic, 1);
      const pub = await connectClient(broker.url, { protocolVersion: version });
      await pub.publishAsync(topic, 'acked', { qos: 1 });
      await pub.publishAsync(topic, 'not acked', { qos: 1 });
      const first = await sub.next('publish');
      const second = await sub.next('publish');
      expect([text(first), text(second)]).toEqual(['acked', 'not acked']);
      await sub.send({ cmd: 'puback', messageId: first.messageId! });
      const session = broker.broker.context.sessions.get(clientId)!;
      await waitFor(() => session.inflight.size === 1, 3000, 'the first delivery to complete');
      sub.destroy();
      await waitFor(() => !session.connected, 3000, 'the session to go offline');

      const again = peer(version);
      const connack = await again.connect(connectOptions);
      expect(connack.sessionPresent).toBe(true);
      const resent = await again.next('publish');
      expect(resent).toMatchObject({ topic, qos: 1, dup: true, messageId: second.messageId });
      expect(text(resent)).toBe('not acked');
      await again.send({ cmd: 'puback', messageId: resent.messageId! });
      await waitFor(() => session.inflight.size === 0, 3000, 'the resent delivery to complete');
      expect(again.count('publish')).toBe(0);
      await again.send({ cmd: 'disconnect', ...(version === 5 ? { properties: { sessionExpiryInterval: 0 } } : {}) });
    });

    it(`[MQTT-2.2.1-4] packet identifiers the broker assigns are non-zero and never one still in flight (${v})`, async () => {
      const topic = uniqueTopic('ids');
      const sub = peer(version);
      await sub.connect(version === 5 ? { properties: { receiveMaximum: 30 } } : {});
      await sub.subscribe(topic, 2);
      const pub = await connectClient(broker.url, { protocolVersion: version });
      for (let i = 0; i < 10; i++) await pub.publishAsync(topic, `q1-${i}`, { qos: 1 });
      for (let i = 0; i < 5; i++) await pub.publishAsync(topic, `q2-${i}`, { qos: 2 });
      await waitFor(() => sub.count('publish') === 15, 3000, '15 deliveries');
      const firstBatch = sub.take('publish');
      const ids = firstBatch.map((p) => p.messageId!);
      expect(ids.every((id) => id > 0 && id <= 65535)).toBe(true);
      expect(new Set(ids).size).toBe(15);

      // Complete five QoS 1 deliveries; move the QoS 2 ones to PUBREL (still in use).
      const acked = firstBatch.filter((p) => p.qos === 1).slice(0, 5);
      for (const p of acked) await sub.send({ cmd: 'puback', messageId: p.messageId! });
      for (const p of firstBatch.filter((p) => p.qos === 2)) await sub.send({ cmd: 'pubrec', messageId: p.messageId! });
      await waitFor(() => sub.count('pubrel') === 5, 3000, 'five PUBRELs');
      const stillInUse = new Set(firstBatch.filter((p) => !acked.includes(p)).map((p) => p.messageId!));
      expect(stillInUse.size).toBe(10);

      for (let i = 0; i < 10; i++) await pub.publishAsync(topic, `more-${i}`, { qos: 1 });
      await waitFor(() => sub.count('publish') === 10, 3000, '10 more deliveries');
      const secondIds = sub.take('publish').map((p) => p.messageId!);
      expect(secondIds.every((id) => id > 0)).toBe(true);
      expect(new Set(secondIds).size).toBe(10);
      expect(secondIds.filter((id) => stillInUse.has(id))).toEqual([]);
    });

    it(`[MQTT-2.2.1-4] after 65535 identifiers have been used, allocation wraps and skips the one still in flight (${v})`, async () => {
      const topic = uniqueTopic('wrap');
      const sub = peer(version);
      await sub.connect(version === 5 ? { properties: { receiveMaximum: 1000 } } : {});
      await sub.subscribe(topic, 1);
      const held = 3;
      const seen = new Map<number, number>();
      let acked = 0;
      // Acknowledge everything, as it arrives, except the message that got identifier `held` first.
      const onData = (): void => {
        const batch = sub.take('publish');
        const acks: Buffer[] = [];
        for (const p of batch) {
          const id = p.messageId!;
          seen.set(id, (seen.get(id) ?? 0) + 1);
          if (id === held && seen.get(id) === 1) continue;
          acks.push(Buffer.from([0x40, 0x02, id >> 8, id & 0xff]));
          acked++;
        }
        if (acks.length) sub.socket.write(Buffer.concat(acks));
      };
      sub.socket.on('data', onData);
      try {
        const pub = peer(version);
        await pub.connect();
        const total = 65540;
        const packets: Buffer[] = [];
        const template = { cmd: 'publish' as const, topic, payload: Buffer.from('w'), qos: 1 as const, retain: false, dup: false };
        for (let i = 0; i < total; i++) {
          packets.push(Buffer.from(mqttPublishBytes(template, (i % 65535) + 1, version)));
        }
        await pub.write(Buffer.concat(packets));
        await waitFor(() => acked === total - 1, 30000, 'all but one delivery acknowledged');
        // Identifier `held` was used once and never again while it stayed in flight.
        expect(seen.get(held)).toBe(1);
        expect(seen.has(0)).toBe(false);
        // Every other identifier came round at least once (the allocator wrapped).
        expect(seen.size).toBe(65535);
      } finally {
        sub.socket.off('data', onData);
      }
    }, 45000);
  });

  describe(`QoS downgrade (${v})`, () => {
    it(`[MQTT-3.8.4-8] delivered QoS is the minimum of the published QoS and the granted QoS, never upgraded (${v})`, async () => {
      const topic = uniqueTopic('downgrade');
      const subscribers: Array<{ granted: 0 | 1 | 2; received: IPublishPacket[] }> = [];
      for (const granted of [0, 1, 2] as const) {
        const client = await connectClient(broker.url, { protocolVersion: version });
        const received = collect(client);
        const grants = await client.subscribeAsync(topic, { qos: granted });
        expect(grants[0]!.qos).toBe(granted);
        subscribers.push({ granted, received });
      }
      const pub = await connectClient(broker.url, { protocolVersion: version });
      for (const qos of [2, 1, 0] as const) await pub.publishAsync(topic, `published-at-${qos}`, { qos });
      await waitFor(() => subscribers.every((s) => s.received.length === 3), 3000, 'three messages each');
      for (const { granted, received } of subscribers) {
        expect(received.map((p) => [text(p), p.qos])).toEqual([
          ['published-at-2', Math.min(2, granted)],
          ['published-at-1', Math.min(1, granted)],
          ['published-at-0', 0],
        ]);
      }
    });
  });

  describe(`acknowledgement reason codes (${v})`, () => {
    it(`(3.4.2.1) a publication nobody subscribes to gets ${version === 5 ? 'PUBACK / PUBREC 0x10 No matching subscribers' : 'a plain PUBACK / PUBREC'} (${v})`, async () => {
      const topic = uniqueTopic('nobody');
      const pub = peer(version);
      await pub.connect();
      await pub.send({ cmd: 'publish', topic, payload: Buffer.from('x'), qos: 1, messageId: 31, retain: false, dup: false });
      const puback = await pub.next('puback');
      expect(puback.messageId).toBe(31);
      await pub.send({ cmd: 'publish', topic, payload: Buffer.from('x'), qos: 2, messageId: 32, retain: false, dup: false });
      const pubrec = await pub.next('pubrec');
      expect(pubrec.messageId).toBe(32);
      if (version === 5) {
        expect(puback.reasonCode).toBe(0x10);
        expect(pubrec.reasonCode).toBe(0x10);
      } else {
        // 3.1.1 acknowledgements have no reason code: exactly four bytes.
        expect(pub.frames.slice(1, 3)).toEqual([Buffer.from([0x40, 2, 0, 31]), Buffer.from([0x50, 2, 0, 32])]);
      }
      // 0x10 is a success code: the QoS 2 flow goes on to PUBCOMP.
      await pub.send({ cmd: 'pubrel', messageId: 32 });
      const pubcomp = await pub.next('pubcomp');
      expect(pubcomp.messageId).toBe(32);
      if (version === 5) expect(pubcomp.reasonCode).toBe(0);
    });
  });
}

describe('Maximum QoS 1 (config maximumQos: 1)', () => {
  let limited: TestBroker;
  beforeAll(async () => {
    limited = await startTestBroker({ maximumQos: 1 });
  });
  afterAll(() => limited.close());

  it('[MQTT-3.2.2-9] CONNACK announces Maximum QoS 1', async () => {
    const c = peer(5, limited.port);
    const connack = await c.connect();
    expect(connack.properties?.maximumQoS).toBe(1);
  });

  for (const version of [4, 5] as const) {
    it(`[MQTT-3.2.2-10] a SUBSCRIBE asking for QoS 2 is accepted and granted QoS 1; QoS 1 messages flow (${version === 5 ? '5.0' : '3.1.1'})`, async () => {
      const topic = uniqueTopic('maxqos');
      const sub = peer(version, limited.port);
      await sub.connect();
      expect(await sub.subscribe(topic, 2)).toEqual([1]);
      const pub = peer(version, limited.port);
      await pub.connect();
      await pub.send({ cmd: 'publish', topic, payload: Buffer.from('ok'), qos: 1, messageId: 1, retain: false, dup: false });
      await pub.next('puback');
      expect(await sub.next('publish')).toMatchObject({ topic, qos: 1 });
    });
  }

  it('[MQTT-3.2.2-11] a QoS 2 PUBLISH above Maximum QoS gets DISCONNECT 0x9B and is not delivered', async () => {
    const topic = uniqueTopic('maxqos2');
    const sub = peer(5, limited.port);
    await sub.connect();
    await sub.subscribe(topic, 1);
    const pub = peer(5, limited.port);
    await pub.connect();
    await pub.send({ cmd: 'publish', topic, payload: Buffer.from('too high'), qos: 2, messageId: 1, retain: false, dup: false });
    expect(await pub.next('disconnect')).toMatchObject({ reasonCode: 0x9b });
    expect(await pub.waitClosed()).toBe(true);
    expect(pub.received.map((p) => p.cmd)).toEqual(['connack', 'disconnect']);
    // A QoS 1 marker from someone else arrives, the refused message never did.
    const other = peer(5, limited.port);
    await other.connect();
    await other.send({ cmd: 'publish', topic, payload: Buffer.from('marker'), qos: 1, messageId: 2, retain: false, dup: false });
    const delivered = await sub.next('publish');
    expect(text(delivered)).toBe('marker');
    expect(sub.count('publish')).toBe(0);
  });
});

function mqttPublishBytes(
  template: { cmd: 'publish'; topic: string; payload: Buffer; qos: 1; retain: boolean; dup: boolean },
  messageId: number,
  version: Version,
): Buffer {
  // Hand-built to keep 65 540 packets cheap: fixed header, topic, id, (v5: empty properties), payload.
  const topic = Buffer.from(template.topic);
  const props = version === 5 ? 1 : 0;
  const remaining = 2 + topic.length + 2 + props + template.payload.length;
  const header = remaining < 128 ? Buffer.from([0x32, remaining]) : Buffer.from([0x32, (remaining & 0x7f) | 0x80, remaining >> 7]);
  const body = Buffer.alloc(remaining);
  let o = body.writeUInt16BE(topic.length, 0);
  o += topic.copy(body, o);
  o = body.writeUInt16BE(messageId, o);
  if (props) o = body.writeUInt8(0, o);
  template.payload.copy(body, o);
  return Buffer.concat([header, body]);
}
