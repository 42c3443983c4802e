import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { closeAllClients, collect, connectClient, waitFor } from '../helpers/clients.js';
import { WirePeer, encode, type Version } from '../helpers/wire-peer.js';

/** Maximum Packet Size both ways: the server's limit inbound, the client's limit outbound. */

const SERVER_MAX = 2048;
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
  broker = await startTestBroker({ maxPacketSize: SERVER_MAX });
});
afterAll(() => broker.close());
afterEach(async () => {
  for (const p of peers.splice(0)) p.destroy();
  await closeAllClients();
});

/** A QoS 1 PUBLISH whose encoded size is exactly `size` bytes. */
function publishOfSize(topic: string, size: number, version: Version, messageId = 1) {
  const base = { cmd: 'publish' as const, topic, qos: 1 as const, messageId, retain: false, dup: false };
  let payloadLength = size - encode({ ...base, payload: Buffer.alloc(0) }, version).length;
  // The remaining length may take one more byte once the payload is added.
  while (encode({ ...base, payload: Buffer.alloc(payloadLength) }, version).length > size) payloadLength--;
  const packet = { ...base, payload: Buffer.alloc(payloadLength, 0x61) };
  expect(encode(packet, version).length).toBe(size);
  return packet;
}

describe('inbound: the server Maximum Packet Size', () => {
  it('(3.2.2.3.6) CONNACK announces Maximum Packet Size from config', async () => {
    const c = peer(5);
    const connack = await c.connect();
    expect(connack.properties?.maximumPacketSize).toBe(SERVER_MAX);
  });

  for (const version of [4, 5] as const) {
    const v = version === 5 ? '5.0' : '3.1.1';
    it(`[MQTT-3.2.2-15] a PUBLISH of exactly Maximum Packet Size is accepted; one byte more ${version === 5 ? 'gets DISCONNECT 0x95' : 'closes the connection'} and is not delivered (${v})`, async () => {
      const topic = uniqueTopic('size/in');
      const sub = await connectClient(broker.url, { protocolVersion: version });
      const got = collect(sub);
      await sub.subscribeAsync(topic, { qos: 1 });
      const pub = peer(version);
      await pub.connect();
      await pub.send(publishOfSize(topic, SERVER_MAX, version, 1));
      expect((await pub.next('puback')).messageId).toBe(1);
      await pub.send(publishOfSize(topic, SERVER_MAX + 1, version, 2));
      expect(await pub.waitClosed()).toBe(true);
      const after = pub.received.slice(2).map((p) => p.cmd);
      if (version === 5) {
        expect(after).toEqual(['disconnect']);
        expect(pub.received.at(-1)).toMatchObject({ cmd: 'disconnect', reasonCode: 0x95 });
      } else {
        expect(after).toEqual([]);
      }
      const marker = await connectClient(broker.url, { protocolVersion: version });
      await marker.publishAsync(topic, 'marker', { qos: 1 });
      await waitFor(() => got.some((p) => text(p) === 'marker'), 3000, 'the marker');
      expect(got.map((p) => p.payload.length)).toEqual([publishOfSize(topic, SERVER_MAX, version).payload.length, 6]);
    });
  }

  it('[MQTT-3.2.2-15] an oversized packet is refused from its fixed header, before its body arrives', async () => {
    const pub = peer(5);
    await pub.connect();
    // PUBLISH announcing a 1 MB remaining length; no body follows.
    await pub.write([0x30, 0x80, 0x80, 0x40]);
    expect(await pub.next('disconnect')).toMatchObject({ reasonCode: 0x95 });
    expect(await pub.waitClosed()).toBe(true);
  });
});

describe("outbound: the client's Maximum Packet Size", () => {
  for (const qos of [0, 1] as const) {
    it(`[MQTT-3.1.2-24] [MQTT-3.1.2-25] a subscriber with Maximum Packet Size 200 does not get a 1000-byte QoS ${qos} message, still gets later small ones, and the drop is counted`, async () => {
      const topic = uniqueTopic(`size/out-q${qos}`);
      const metrics = broker.broker.context.metrics;
      const sub = peer(5);
      await sub.connect({ properties: { maximumPacketSize: 200, receiveMaximum: 1 } });
      await sub.subscribe(topic, qos);
      const pub = await connectClient(broker.url);
      await pub.publishAsync(topic, 'small before', { qos });
      const before = await sub.next('publish');
      if (qos === 1) await sub.send({ cmd: 'puback', messageId: before.messageId! });

      const dropped = metrics.publishDropped;
      await pub.publishAsync(topic, Buffer.alloc(1000, 0x62), { qos });
      await pub.publishAsync(topic, 'small after', { qos });
      // QoS 1 with Receive Maximum 1: the discarded message did not take the only slot.
      const after = await sub.next('publish');
      expect(text(after)).toBe('small after');
      expect(metrics.publishDropped - dropped).toBe(1);
      expect(sub.frames.every((f) => f.length <= 200)).toBe(true);
      expect(sub.received.filter((p) => p.cmd === 'publish').map(text)).toEqual(['small before', 'small after']);
    });
  }

  it('[MQTT-3.1.2-25] an unacknowledged message too large for the reconnected client\'s new Maximum Packet Size is discarded as if delivered: its slot is freed', async () => {
    const topic = uniqueTopic('size/out-resume');
    const clientId = `size-resume-${seq}`;
    const metrics = broker.broker.context.metrics;
    const first = peer(5);
    await first.connect({ clientId, clean: false, properties: { receiveMaximum: 1, sessionExpiryInterval: 60 } });
    await first.subscribe(topic, 1);
    const pub = await connectClient(broker.url);
    await pub.publishAsync(topic, Buffer.alloc(1000, 0x62), { qos: 1 });
    await first.next('publish');
    first.destroy();
    const session = broker.broker.context.sessions.get(clientId)!;
    await waitFor(() => !session.connected, 3000, 'the session to go offline');

    const dropped = metrics.publishDropped;
    const second = peer(5);
    await second.connect({ clientId, clean: false, properties: { receiveMaximum: 1, maximumPacketSize: 200, sessionExpiryInterval: 0 } });
    await pub.publishAsync(topic, 'small', { qos: 1 });
    const p = await second.next('publish');
    expect(text(p)).toBe('small');
    expect(p.dup).toBe(false);
    expect(second.frames.every((f) => f.length <= 200)).toBe(true);
    expect(metrics.publishDropped - dropped).toBe(1);
  });

  it('[MQTT-3.1.2-24] the limit is on the whole packet: exactly 200 bytes is delivered, 201 is not', async () => {
    const topic = uniqueTopic('size/out-edge');
    const sub = peer(5);
    await sub.connect({ properties: { maximumPacketSize: 200 } });
    await sub.subscribe(topic, 1);
    const pub = peer(5);
    await pub.connect();
    // Forwarded as published (same topic, QoS, no properties): the outbound size equals the inbound one.
    const fits = publishOfSize(topic, 200, 5, 1);
    const tooBig = publishOfSize(topic, 201, 5, 2);
    await pub.send(tooBig);
    await pub.send(fits);
    const got = await sub.next('publish');
    expect(got.payload.length).toBe(fits.payload.length);
    expect(sub.frames.at(-1)!.length).toBe(200);
    await sub.send({ cmd: 'puback', messageId: got.messageId! });
    await sub.send({ cmd: 'pingreq' });
    await sub.next('pingresp');
    expect(sub.count('publish')).toBe(0);
  });

  it('(3.1.2.11.4) subscribers without a Maximum Packet Size (5.0 and 3.1.1) get the large message', async () => {
    const topic = uniqueTopic('size/out-unlimited');
    const subs = [];
    for (const version of [4, 5] as const) {
      const client = await connectClient(broker.url, { protocolVersion: version });
      const got = collect(client);
      await client.subscribeAsync(topic, { qos: 1 });
      subs.push(got);
    }
    const pub = await connectClient(broker.url);
    await pub.publishAsync(topic, Buffer.alloc(1000, 0x62), { qos: 1 });
    for (const got of subs) {
      await waitFor(() => got.length === 1, 3000, 'the large message');
      expect(got[0]!.payload.length).toBe(1000);
    }
  });
});
