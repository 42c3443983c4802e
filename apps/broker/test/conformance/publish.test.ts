import type { IPublishPacket } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { closeAllClients, collect, connectClient, waitFor } from '../helpers/clients.js';
import { WirePeer, type Version } from '../helpers/wire-peer.js';

/** PUBLISH routing: fan-out to every matching subscriber, ordering, topic names, $SYS refusal. */

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
});

describe('fan-out', () => {
  it('[MQTT-4.5.0-1] a message on one topic reaches every matching subscriber (50, 3.1.1 and 5.0, exact and wildcard filters), exactly once each', async () => {
    const topic = uniqueTopic('fan');
    const filters = [topic, `${topic.split('/')[0]}/+`, `${topic.split('/')[0]}/#`, '#'];
    const subscribers: IPublishPacket[][] = [];
    for (let i = 0; i < 50; i++) {
      const client = await connectClient(broker.url, { protocolVersion: i % 2 === 0 ? 4 : 5 });
      const got = collect(client);
      await client.subscribeAsync(filters[i % filters.length]!, { qos: 1 });
      subscribers.push(got);
    }
    const pub = await connectClient(broker.url);
    await pub.publishAsync(topic, 'to all', { qos: 1 });
    await waitFor(() => subscribers.every((got) => got.length >= 1), 5000, 'every subscriber');
    // A second publication: whoever got the first twice would show it now.
    await pub.publishAsync(topic, 'second', { qos: 1 });
    await waitFor(() => subscribers.every((got) => got.some((p) => text(p) === 'second')), 5000, 'the second message everywhere');
    for (const got of subscribers) {
      expect(got.map((p) => [p.topic, text(p)])).toEqual([
        [topic, 'to all'],
        [topic, 'second'],
      ]);
    }
  });

  it('[MQTT-3.3.4-2] overlapping subscriptions of one client get one copy, at the highest granted QoS', async () => {
    const topic = uniqueTopic('overlap');
    const sub = peer(5);
    await sub.connect();
    await sub.subscribe(topic, 0);
    await sub.subscribe(`${topic.split('/')[0]}/#`, 2);
    const pub = await connectClient(broker.url);
    await pub.publishAsync(topic, 'once', { qos: 2 });
    await pub.publishAsync(`${topic}-marker`, 'marker', { qos: 0 });
    await waitFor(() => sub.received.some((p) => p.cmd === 'publish' && text(p) === 'marker'), 3000, 'the marker');
    const copies = sub.received.filter((p): p is Extract<typeof p, { cmd: 'publish' }> => p.cmd === 'publish' && text(p) === 'once');
    expect(copies).toHaveLength(1);
    expect(copies[0]!.qos).toBe(2);
  });

  for (const version of [4, 5] as const) {
    it(`[MQTT-4.6.0-6] messages from one publisher on one topic arrive in publication order, per QoS (${version === 5 ? '5.0' : '3.1.1'})`, async () => {
      const topic = uniqueTopic('order');
      const sub = await connectClient(broker.url, { protocolVersion: version });
      const got = collect(sub);
      await sub.subscribeAsync(topic, { qos: 2 });
      const pub = await connectClient(broker.url, { protocolVersion: version });
      const sends = [];
      for (let i = 0; i < 100; i++) sends.push(pub.publishAsync(topic, `${i % 3}:${i}`, { qos: (i % 3) as 0 | 1 | 2 }));
      await Promise.all(sends);
      await waitFor(() => got.length === 100, 5000, '100 messages');
      for (const qos of [0, 1, 2]) {
        const sequence = got.filter((p) => p.qos === qos).map((p) => Number(text(p).split(':')[1]));
        expect(sequence).toEqual([...sequence].sort((a, b) => a - b));
        expect(sequence).toHaveLength(qos === 0 ? 34 : 33);
      }
    });
  }
});

describe('$SYS topics are the broker\'s own', () => {
  it('(4.7.2) 5.0: a PUBLISH to $SYS/... is refused with PUBACK / PUBREC 0x87 and not delivered', async () => {
    const sub = peer(5);
    await sub.connect();
    await sub.subscribe('$SYS/#', 2);
    const pub = peer(5);
    await pub.connect();
    await pub.send({ cmd: 'publish', topic: '$SYS/broker/version', payload: Buffer.from('spoofed'), qos: 1, messageId: 1, retain: true, dup: false });
    expect(await pub.next('puback')).toMatchObject({ messageId: 1, reasonCode: 0x87 });
    await pub.send({ cmd: 'publish', topic: '$SYS/custom', payload: Buffer.from('spoofed'), qos: 2, messageId: 2, retain: false, dup: false });
    expect(await pub.next('pubrec')).toMatchObject({ messageId: 2, reasonCode: 0x87 });
    await pub.send({ cmd: 'publish', topic: '$SYS/custom', payload: Buffer.from('spoofed'), qos: 0, retain: false, dup: false });
    await pub.send({ cmd: 'pingreq' });
    await pub.next('pingresp');
    await sub.send({ cmd: 'pingreq' });
    await sub.next('pingresp');
    expect(sub.count('publish')).toBe(0);
    // Nor retained for later subscribers.
    expect(broker.broker.context.retained.get('$SYS/broker/version')).toBeUndefined();
    expect(pub.closed).toBe(false);
  });

  it('(4.7.2) 3.1.1: a QoS 1 PUBLISH to $SYS/... gets a plain PUBACK, and nothing is delivered', async () => {
    const sub = await connectClient(broker.url, { protocolVersion: 4 });
    const got = collect(sub);
    await sub.subscribeAsync('$SYS/#', { qos: 1 });
    const pub = peer(4);
    await pub.connect();
    await pub.send({ cmd: 'publish', topic: '$SYS/broker/uptime', payload: Buffer.from('spoofed'), qos: 1, messageId: 9, retain: false, dup: false });
    await pub.next('puback');
    expect(pub.frames.at(-1)).toEqual(Buffer.from([0x40, 0x02, 0x00, 0x09]));
    // A normal message published afterwards by the same client still flows: the connection is fine.
    const other = await connectClient(broker.url, { protocolVersion: 4 });
    const otherGot = collect(other);
    await other.subscribeAsync('after/sys', { qos: 1 });
    await pub.send({ cmd: 'publish', topic: 'after/sys', payload: Buffer.from('ok'), qos: 1, messageId: 10, retain: false, dup: false });
    await waitFor(() => otherGot.length === 1, 3000, 'the normal message');
    expect(got).toEqual([]);
  });
});
