import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { closeAllClients, collect, connectClient, waitFor } from '../helpers/clients.js';
import { WirePeer, type Version } from '../helpers/wire-peer.js';

/** Topic Alias (3.3.2.3.4), 5.0 only: inbound resolution and errors, outbound assignment. */

const SERVER_ALIAS_MAX = 5;
let broker: TestBroker;
const peers: WirePeer[] = [];
const peer = (version: Version = 5): WirePeer => {
  const p = new WirePeer(broker.port, version);
  peers.push(p);
  return p;
};
let seq = 0;
const uniqueTopic = (prefix: string): string => `${prefix}/${process.pid}-${++seq}`;
const text = (p: { payload: Buffer | string }): string => p.payload.toString();

beforeAll(async () => {
  broker = await startTestBroker({ topicAliasMaximum: SERVER_ALIAS_MAX });
});
afterAll(() => broker.close());
afterEach(async () => {
  for (const p of peers.splice(0)) p.destroy();
  await closeAllClients();
});

const aliasPublish = (topic: string, alias: number, payload: string, qos: 0 | 1 = 1, messageId = 1) =>
  ({ cmd: 'publish', topic, payload: Buffer.from(payload), qos, ...(qos ? { messageId } : {}), retain: false, dup: false, properties: { topicAlias: alias } }) as const;

describe('inbound topic aliases', () => {
  it('(3.2.2.3.8) CONNACK announces the Topic Alias Maximum from config', async () => {
    const c = peer();
    const connack = await c.connect();
    expect(connack.properties?.topicAliasMaximum).toBe(SERVER_ALIAS_MAX);
  });

  it('[MQTT-3.3.2-12] an alias set with a topic name, then used with an empty topic name, reaches 5.0 and 3.1.1 subscribers under the full topic', async () => {
    const topic = uniqueTopic('alias/in');
    const sub5 = await connectClient(broker.url, { protocolVersion: 5 });
    const got5 = collect(sub5);
    await sub5.subscribeAsync(topic, { qos: 1 });
    const sub4 = await connectClient(broker.url, { protocolVersion: 4 });
    const got4 = collect(sub4);
    await sub4.subscribeAsync(topic, { qos: 1 });

    const pub = peer();
    await pub.connect();
    await pub.send(aliasPublish(topic, SERVER_ALIAS_MAX, 'with topic', 1, 1));
    expect(await pub.next('puback')).toMatchObject({ messageId: 1, reasonCode: 0 });
    await pub.send(aliasPublish('', SERVER_ALIAS_MAX, 'alias only', 1, 2));
    expect(await pub.next('puback')).toMatchObject({ messageId: 2, reasonCode: 0 });
    await pub.send(aliasPublish('', SERVER_ALIAS_MAX, 'alias only, QoS 0', 0));

    for (const got of [got5, got4]) {
      await waitFor(() => got.length === 3, 3000, 'three messages');
      expect(got.map((p) => [p.topic, text(p)])).toEqual([
        [topic, 'with topic'],
        [topic, 'alias only'],
        [topic, 'alias only, QoS 0'],
      ]);
    }
    // The broker never forwards the publisher's alias to a subscriber that did not ask for aliases.
    expect(got5.every((p) => p.properties?.topicAlias === undefined)).toBe(true);
  });

  it('(3.3.2.3.4) a PUBLISH with a new topic name for an existing alias re-maps it', async () => {
    const a = uniqueTopic('alias/remap-a');
    const b = uniqueTopic('alias/remap-b');
    const sub = await connectClient(broker.url);
    const got = collect(sub);
    await sub.subscribeAsync([a, b], { qos: 1 });
    const pub = peer();
    await pub.connect();
    await pub.send(aliasPublish(a, 1, 'a1', 1, 1));
    await pub.send(aliasPublish('', 1, 'a2', 1, 2));
    await pub.send(aliasPublish(b, 1, 'b1', 1, 3));
    await pub.send(aliasPublish('', 1, 'b2', 1, 4));
    await waitFor(() => got.length === 4, 3000, 'four messages');
    expect(got.map((p) => [p.topic, text(p)])).toEqual([
      [a, 'a1'],
      [a, 'a2'],
      [b, 'b1'],
      [b, 'b2'],
    ]);
  });

  it('[MQTT-3.3.2-8] a Topic Alias of 0 gets DISCONNECT 0x94 and is not delivered', async () => {
    const topic = uniqueTopic('alias/zero');
    const sub = peer();
    await sub.connect();
    await sub.subscribe(topic, 1);
    const pub = peer();
    await pub.connect();
    await pub.send(aliasPublish(topic, 0, 'zero'));
    expect(await pub.next('disconnect')).toMatchObject({ reasonCode: 0x94 });
    expect(await pub.waitClosed()).toBe(true);
    expect(pub.count('puback')).toBe(0);
    await sub.send({ cmd: 'pingreq' });
    await sub.next('pingresp');
    expect(sub.count('publish')).toBe(0);
  });

  it('[MQTT-3.3.2-9] a Topic Alias above the Topic Alias Maximum gets DISCONNECT 0x94', async () => {
    const pub = peer();
    await pub.connect();
    await pub.send(aliasPublish(uniqueTopic('alias/high'), SERVER_ALIAS_MAX + 1, 'too high'));
    expect(await pub.next('disconnect')).toMatchObject({ reasonCode: 0x94 });
    expect(await pub.waitClosed()).toBe(true);
  });

  it('(3.3.2.3.4) an empty topic name with an alias that has no mapping is a Protocol Error: DISCONNECT 0x82', async () => {
    const pub = peer();
    await pub.connect();
    await pub.send(aliasPublish('', 2, 'unknown alias'));
    expect(await pub.next('disconnect')).toMatchObject({ reasonCode: 0x82 });
    expect(await pub.waitClosed()).toBe(true);
  });

  it('[MQTT-3.3.2-7] alias mappings do not carry over to a new network connection of the same client', async () => {
    const clientId = `alias-carry-${seq}`;
    const first = peer();
    await first.connect({ clientId, clean: false, properties: { sessionExpiryInterval: 30 } });
    await first.send(aliasPublish(uniqueTopic('alias/carry'), 1, 'sets alias 1'));
    await first.next('puback');
    first.destroy();
    await waitFor(() => broker.broker.context.sessions.connection(clientId) === undefined, 3000, 'the first connection to go');
    const second = peer();
    const connack = await second.connect({ clientId, clean: false, properties: { sessionExpiryInterval: 0 } });
    expect(connack.sessionPresent).toBe(true);
    await second.send(aliasPublish('', 1, 'uses alias 1'));
    expect(await second.next('disconnect')).toMatchObject({ reasonCode: 0x82 });
  });

  it('(3.3.2.3.4) an empty topic name without a Topic Alias is a Protocol Error: DISCONNECT 0x82', async () => {
    const pub = peer();
    await pub.connect();
    await pub.send({ cmd: 'publish', topic: '', payload: Buffer.from('x'), qos: 0, retain: false, dup: false });
    expect(await pub.next('disconnect')).toMatchObject({ reasonCode: 0x82 });
  });
});

describe('outbound topic aliases', () => {
  it('[MQTT-3.3.2-11] a subscriber with Topic Alias Maximum 2 gets an alias with the topic first, then the alias with an empty topic; never an alias above 2', async () => {
    const base = uniqueTopic('alias/out');
    const topics = [`${base}/a`, `${base}/b`, `${base}/c`];
    const sub = peer();
    await sub.connect({ properties: { topicAliasMaximum: 2 } });
    await sub.subscribe(`${base}/+`, 1);
    const pub = await connectClient(broker.url);
    const order = [0, 0, 1, 1, 2, 2, 0, 1, 2];
    for (const [i, t] of order.entries()) await pub.publishAsync(topics[t]!, `m${i}`, { qos: 1 });

    const seen: Array<{ topic: string; alias: number | undefined; payload: string }> = [];
    for (let i = 0; i < order.length; i++) {
      const p = await sub.next('publish');
      seen.push({ topic: p.topic, alias: p.properties?.topicAlias, payload: text(p) });
      await sub.send({ cmd: 'puback', messageId: p.messageId! });
    }
    expect(seen.map((s) => s.payload)).toEqual(order.map((_, i) => `m${i}`));
    const aliases = seen.map((s) => s.alias).filter((a): a is number => a !== undefined);
    expect(aliases.every((a) => a >= 1 && a <= 2)).toBe(true);

    // The first message on a topic carries the topic name; later ones on an aliased topic carry
    // only the alias, and the alias always means the same topic.
    const aliasOf = new Map<number, string>();
    const firstSeen = new Set<string>();
    for (const [i, s] of seen.entries()) {
      const topic = topics[order[i]!]!;
      if (!firstSeen.has(topic)) {
        expect(s.topic).toBe(topic);
        firstSeen.add(topic);
      }
      if (s.alias !== undefined) {
        if (s.topic !== '') {
          expect(s.topic).toBe(topic);
          aliasOf.set(s.alias, s.topic);
        } else {
          expect(aliasOf.get(s.alias)).toBe(topic);
        }
      } else {
        expect(s.topic).toBe(topic);
      }
    }
    // The second message on topic a used the alias with an empty topic name.
    expect(seen[1]).toMatchObject({ topic: '', alias: seen[0]!.alias });
    expect(seen[0]!.alias).toBeDefined();
  });

  it('[MQTT-3.3.2-11] the aliased message is byte-for-byte shorter: empty topic name on the wire', async () => {
    const topic = uniqueTopic('alias/out-bytes/a-fairly-long-topic-name');
    const sub = peer();
    await sub.connect({ properties: { topicAliasMaximum: 1 } });
    await sub.subscribe(topic, 0);
    const pub = await connectClient(broker.url);
    await pub.publishAsync(topic, 'same', { qos: 0 });
    await pub.publishAsync(topic, 'same', { qos: 0 });
    await waitFor(() => sub.received.filter((p) => p.cmd === 'publish').length === 2, 3000, 'two messages');
    const frames = sub.frames.filter((f) => f[0]! >> 4 === 3);
    expect(frames).toHaveLength(2);
    // Topic name length field (after the 1-byte remaining length) is 0 in the second one.
    expect(frames[0]!.readUInt16BE(2)).toBe(Buffer.byteLength(topic));
    expect(frames[1]!.readUInt16BE(2)).toBe(0);
    expect(frames[0]!.length - frames[1]!.length).toBe(Buffer.byteLength(topic));
  });

  it('[MQTT-3.3.2-11] a 5.0 subscriber that sent no Topic Alias Maximum never gets a Topic Alias', async () => {
    const topic = uniqueTopic('alias/none');
    const sub = peer();
    await sub.connect();
    await sub.subscribe(topic, 1);
    const pub = await connectClient(broker.url);
    for (let i = 0; i < 3; i++) await pub.publishAsync(topic, `m${i}`, { qos: 1 });
    for (let i = 0; i < 3; i++) {
      const p = await sub.next('publish');
      expect(p.topic).toBe(topic);
      expect(p.properties?.topicAlias).toBeUndefined();
      await sub.send({ cmd: 'puback', messageId: p.messageId! });
    }
  });

  it('(3.3.2.3.4) a 3.1.1 subscriber always gets the full topic name', async () => {
    const topic = uniqueTopic('alias/v4');
    const sub = peer(4);
    await sub.connect();
    await sub.subscribe(topic, 0);
    const pub = await connectClient(broker.url);
    for (let i = 0; i < 3; i++) await pub.publishAsync(topic, `m${i}`, { qos: 0 });
    for (let i = 0; i < 3; i++) expect((await sub.next('publish')).topic).toBe(topic);
  });

  it('[MQTT-3.3.2-7] outbound aliases start afresh on a new connection: the first message carries the topic name again', async () => {
    const topic = uniqueTopic('alias/fresh');
    const clientId = `alias-fresh-${seq}`;
    const pub = await connectClient(broker.url);

    const first = peer();
    await first.connect({ clientId, clean: false, properties: { topicAliasMaximum: 3, sessionExpiryInterval: 30 } });
    await first.subscribe(topic, 0);
    await pub.publishAsync(topic, 'one', { qos: 0 });
    await pub.publishAsync(topic, 'two', { qos: 0 });
    const a = await first.next('publish');
    const b = await first.next('publish');
    expect([a.topic, b.topic]).toEqual([topic, '']);
    first.destroy();
    await waitFor(() => broker.broker.context.sessions.connection(clientId) === undefined, 3000, 'the first connection to go');

    const second = peer();
    await second.connect({ clientId, clean: false, properties: { topicAliasMaximum: 3, sessionExpiryInterval: 0 } });
    await pub.publishAsync(topic, 'three', { qos: 0 });
    const c = await second.next('publish');
    expect(c.topic).toBe(topic);
    expect(text(c)).toBe('three');
  });
});
