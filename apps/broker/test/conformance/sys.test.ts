import type { IPublishPacket } from 'mqtt-packet';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BROKER_VERSION } from '../../src/version.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { waitFor } from '../helpers/clients.js';
import { closeLifecycleClients, connectV, rawClient, type Connected } from '../helpers/lifecycle.js';

/**
 * The $SYS tree (Mosquitto-compatible names, published every sysInterval seconds as retained
 * messages) and the rules for topics beginning with $ (4.7.2).
 */

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker({ sysInterval: 1 });
});
afterAll(() => broker.close());
afterEach(() => closeLifecycleClients());

let counter = 0;
const uid = (prefix: string): string => `${prefix}-${++counter}-${Math.random().toString(16).slice(2, 8)}`;

/** The payloads received on a topic, oldest first. */
const values = (received: IPublishPacket[], topic: string): string[] => received.filter((p) => p.topic === topic).map((p) => p.payload.toString());
const latest = (received: IPublishPacket[], topic: string): string | undefined => values(received, topic).at(-1);

async function sysSubscriber(filter = '$SYS/#'): Promise<Connected> {
  const s = await connectV(broker.url, { clientId: uid('sys') });
  await s.client.subscribeAsync(filter, { qos: 0 });
  return s;
}

/** Waits for a periodic (not retained-on-subscribe) value of a topic that satisfies a predicate. */
async function waitForValue(s: Connected, topic: string, predicate: (value: number) => boolean, what: string): Promise<number> {
  let found: number | undefined;
  await waitFor(
    () => {
      const live = s.received.filter((p) => p.topic === topic && !p.retain).map((p) => Number(p.payload.toString()));
      found = live.findLast(predicate);
      return found !== undefined;
    },
    8000,
    what,
  );
  return found!;
}

const TREE = [
  '$SYS/broker/version',
  '$SYS/broker/uptime',
  '$SYS/broker/clients/connected',
  '$SYS/broker/clients/total',
  '$SYS/broker/clients/maximum',
  '$SYS/broker/clients/disconnected',
  '$SYS/broker/clients/expired',
  '$SYS/broker/messages/received',
  '$SYS/broker/messages/sent',
  '$SYS/broker/bytes/received',
  '$SYS/broker/bytes/sent',
  '$SYS/broker/publish/messages/received',
  '$SYS/broker/publish/messages/sent',
  '$SYS/broker/publish/messages/dropped',
  '$SYS/broker/subscriptions/count',
  '$SYS/broker/retained messages/count',
  '$SYS/broker/load/messages/received/1min',
  '$SYS/broker/load/messages/sent/5min',
  '$SYS/broker/load/bytes/received/15min',
  '$SYS/broker/load/connections/1min',
];

describe('the $SYS tree (sysInterval 1)', () => {
  it('($SYS) a new subscriber to $SYS/# gets the whole tree at once as retained messages', async () => {
    const s = await sysSubscriber();
    await waitFor(() => TREE.every((t) => s.received.some((p) => p.topic === t && p.retain)), 5000, 'retained $SYS tree');
    expect(latest(s.received, '$SYS/broker/version')).toBe(`mqtt-platform broker ${BROKER_VERSION}`);
    expect(latest(s.received, '$SYS/broker/uptime')).toMatch(/^\d+ seconds$/);
    for (const topic of TREE.filter((t) => t.includes('/clients/') || t.includes('/messages/') || t.includes('/bytes/') || t.endsWith('/count'))) {
      if (topic.includes('/load/')) continue;
      expect(latest(s.received, topic), topic).toMatch(/^\d+$/);
    }
    for (const topic of TREE.filter((t) => t.includes('/load/'))) expect(latest(s.received, topic), topic).toMatch(/^\d+\.\d\d$/);
    // Published at QoS 0.
    expect(s.received.every((p) => p.qos === 0)).toBe(true);
  });

  it('($SYS) the tree is republished every interval, and the counters grow', async () => {
    const s = await sysSubscriber('$SYS/broker/messages/received');
    const first = await waitForValue(s, '$SYS/broker/messages/received', () => true, 'a periodic value');
    const pub = await connectV(broker.url, { clientId: uid('pub') });
    for (let i = 0; i < 5; i++) await pub.client.publishAsync(`sys-load/${i}`, 'x', { qos: 1 });
    const later = await waitForValue(s, '$SYS/broker/messages/received', (v) => v >= first + 5, 'messages/received to grow by 5');
    expect(later).toBeGreaterThanOrEqual(first + 5);
  });

  it('($SYS) clients/connected, clients/disconnected, clients/total and clients/maximum follow the clients', async () => {
    const s = await sysSubscriber('$SYS/broker/clients/#');
    const topic = (name: string): string => `$SYS/broker/clients/${name}`;
    // Earlier tests' clients have gone: only the subscriber is connected.
    await waitForValue(s, topic('connected'), (v) => v === 1, 'clients/connected 1');
    const a = await connectV(broker.url, { clientId: uid('a') });
    const b = await connectV(broker.url, { protocolVersion: 4, clientId: uid('b'), clean: false });
    await waitForValue(s, topic('connected'), (v) => v === 3, 'clients/connected 3');
    expect(Number(latest(s.received, topic('maximum')))).toBeGreaterThanOrEqual(3);
    const disconnectedBefore = Number(latest(s.received, topic('disconnected')));

    // b's session is persistent: it becomes a disconnected client, still counted in the total.
    await b.client.endAsync();
    await a.client.endAsync();
    await waitForValue(s, topic('disconnected'), (v) => v === disconnectedBefore + 1, 'clients/disconnected + 1');
    await waitForValue(s, topic('connected'), (v) => v === 1, 'clients/connected back to 1');
    // One complete publication round (each round ends with clients/expired): total = connected + disconnected.
    const roundEnd = s.received.findLastIndex((p) => p.topic === topic('expired') && !p.retain);
    const round = s.received.slice(0, roundEnd + 1).filter((p) => !p.retain);
    const value = (name: string): number => Number(round.findLast((p) => p.topic === topic(name))?.payload.toString());
    expect(value('total')).toBe(value('connected') + value('disconnected'));
    expect(value('maximum')).toBeGreaterThanOrEqual(3);
  });

  it('($SYS) clients/expired counts sessions removed by expiry', async () => {
    const s = await sysSubscriber('$SYS/broker/clients/expired');
    const before = await waitForValue(s, '$SYS/broker/clients/expired', () => true, 'clients/expired');
    const c = await connectV(broker.url, { clientId: uid('expiring'), clean: false, properties: { sessionExpiryInterval: 1 } });
    await c.client.endAsync();
    await waitForValue(s, '$SYS/broker/clients/expired', (v) => v === before + 1, 'clients/expired + 1');
  });

  it('($SYS) subscriptions/count and retained messages/count follow subscriptions and retained messages', async () => {
    const s = await sysSubscriber('$SYS/broker/+/count');
    const subs = (): number => Number(latest(s.received, '$SYS/broker/subscriptions/count'));
    const retained = (): number => Number(latest(s.received, '$SYS/broker/retained messages/count'));
    await waitForValue(s, '$SYS/broker/subscriptions/count', () => true, 'a periodic count');
    const subsBefore = subs();
    const retainedBefore = retained();
    const c = await connectV(broker.url, { clientId: uid('counts') });
    await c.client.subscribeAsync(['counts/a', 'counts/b/#'], { qos: 1 });
    await c.client.publishAsync(`counts/retained/${uid('r')}`, 'kept', { qos: 1, retain: true });
    await waitForValue(s, '$SYS/broker/subscriptions/count', (v) => v === subsBefore + 2, 'subscriptions/count + 2');
    await waitForValue(s, '$SYS/broker/retained messages/count', (v) => v === retainedBefore + 1, 'retained messages/count + 1');
  });

  it('($SYS) publish/messages/dropped counts a QoS 0 message for a disconnected session', async () => {
    const s = await sysSubscriber('$SYS/broker/publish/messages/dropped');
    const before = await waitForValue(s, '$SYS/broker/publish/messages/dropped', () => true, 'publish/messages/dropped');
    const id = uid('dropper');
    const offline = await connectV(broker.url, { clientId: id, clean: false, properties: { sessionExpiryInterval: 60 } });
    await offline.client.subscribeAsync(`${id}/t`, { qos: 0 });
    await offline.client.endAsync();
    const pub = await connectV(broker.url, { clientId: uid('pub') });
    await pub.client.publishAsync(`${id}/t`, 'nobody home', { qos: 0 });
    await waitForValue(s, '$SYS/broker/publish/messages/dropped', (v) => v === before + 1, 'dropped + 1');
  });
});

describe('topics beginning with $', () => {
  it('[MQTT-4.7.2-1] "#", "+/..." and "$share/g/#" do not match $SYS topics, while "$SYS/..." does', async () => {
    const all = await sysSubscriber('#');
    const plus = await sysSubscriber('+/broker/#');
    const shared = await sysSubscriber('$share/g/#');
    const sys = await sysSubscriber('$SYS/broker/uptime');
    // The retained value at once, then two periodic publications.
    await waitFor(() => sys.received.filter((p) => !p.retain).length >= 2, 8000, 'periodic $SYS/broker/uptime');
    // The wildcard subscriptions do work for ordinary topics.
    const pub = await connectV(broker.url, { clientId: uid('pub') });
    await pub.client.publishAsync('plain/broker/topic', 'ordinary', { qos: 1 });
    await waitFor(() => [all, plus, shared].every((s) => s.received.some((p) => p.topic === 'plain/broker/topic')), 5000, 'ordinary topic');
    expect(all.received.filter((p) => p.topic.startsWith('$'))).toEqual([]);
    expect(plus.received.filter((p) => p.topic.startsWith('$'))).toEqual([]);
    expect(shared.received.filter((p) => p.topic.startsWith('$'))).toEqual([]);
  });

  it('(4.7.2) a 5.0 client publishing to $SYS gets PUBACK 0x87 and nothing reaches $SYS subscribers', async () => {
    const s = await sysSubscriber('$SYS/#');
    const c = rawClient(broker.port, 5);
    await c.connect({ protocolVersion: 5, clientId: uid('sys-forger') });
    await c.send({ cmd: 'publish', topic: '$SYS/broker/version', payload: Buffer.from('forged'), qos: 1, messageId: 11, retain: true, dup: false }, 5);
    expect(await c.next('puback')).toMatchObject({ messageId: 11, reasonCode: 0x87 });
    await c.send({ cmd: 'publish', topic: '$SYS/custom', payload: Buffer.from('forged'), qos: 0, retain: true, dup: false }, 5);
    await c.send({ cmd: 'publish', topic: '$SYS/custom', payload: Buffer.from('forged'), qos: 2, messageId: 12, retain: false, dup: false }, 5);
    expect(await c.next('pubrec')).toMatchObject({ messageId: 12, reasonCode: 0x87 });
    // A full publication round later, nothing forged has been delivered or retained.
    const rounds = (): number => s.received.filter((p) => p.topic === '$SYS/broker/version' && !p.retain).length;
    const seen = rounds();
    await waitFor(() => rounds() >= seen + 1, 8000, 'a $SYS publication round');
    expect(s.received.filter((p) => p.payload.toString() === 'forged')).toEqual([]);
    const late = await sysSubscriber('$SYS/#');
    await waitFor(() => late.received.some((p) => p.topic === '$SYS/broker/version'), 5000, 'retained version');
    expect(latest(late.received, '$SYS/broker/version')).toBe(`mqtt-platform broker ${BROKER_VERSION}`);
    expect(late.received.filter((p) => p.topic === '$SYS/custom')).toEqual([]);
    expect(c.closed).toBe(false);
  });

  it('(4.7.2) a Will Topic under $SYS is refused with CONNACK 0x87 (Not authorized)', async () => {
    const c = rawClient(broker.port, 5);
    await c.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, keepalive: 60, clientId: uid('sys-will'), will: { topic: '$SYS/broker/version', payload: Buffer.from('forged'), qos: 0, retain: true } }, 5);
    expect(await c.next('connack')).toMatchObject({ reasonCode: 0x87, sessionPresent: false });
    expect(await c.waitClosed()).toBe(true);
  });

  it('(4.7.2) a 3.1.1 client publishing to $SYS gets a plain PUBACK and nothing reaches $SYS subscribers', async () => {
    const s = await sysSubscriber('$SYS/custom/#');
    const c = rawClient(broker.port, 4);
    await c.connect({ protocolVersion: 4, clientId: uid('sys-forger-311') });
    await c.send({ cmd: 'publish', topic: '$SYS/custom/x', payload: Buffer.from('forged'), qos: 1, messageId: 21, retain: false, dup: false }, 4);
    expect(await c.next('puback')).toMatchObject({ messageId: 21 });
    const marker = await sysSubscriber('$SYS/broker/uptime');
    await waitFor(() => marker.received.filter((p) => !p.retain).length >= 1, 8000, 'a $SYS publication round');
    expect(s.received).toEqual([]);
    expect(c.closed).toBe(false);
  });
});
