import { connect as netConnect } from 'node:net';
import type { IClientOptions } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerConfig } from '../../src/config.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { waitFor } from '../helpers/clients.js';
import { closeCollectingClients, connectCollecting, endClient, payloads, type CollectingClient } from '../helpers/collecting-client.js';

afterEach(() => closeCollectingClients());

let unique = 0;
const fresh = (name: string): string => `queue-${name}-${++unique}`;
const numbered = (n: number): string[] => Array.from({ length: n }, (_, i) => `m${i + 1}`);
const VERSIONS = [4, 5] as const;

/** Options for a persistent session: Clean Session 0 (3.1.1) or a Session Expiry Interval (5.0). */
function persistent(version: 4 | 5, clientId: string, resume: boolean): IClientOptions {
  return version === 5
    ? { protocolVersion: 5, clientId, clean: !resume, properties: { sessionExpiryInterval: 300 } }
    : { protocolVersion: 4, clientId, clean: false };
}

/** Makes a persistent session subscribed to `filter`, then disconnects and waits until the broker has detached it. */
async function offlineSubscriber(broker: TestBroker, version: 4 | 5, clientId: string, filter: string): Promise<void> {
  const sub = await connectCollecting(broker.url, persistent(version, clientId, false));
  await sub.client.subscribeAsync(filter, { qos: 2 });
  await endClient(sub.client);
  const session = broker.broker.context.sessions.get(clientId);
  await waitFor(() => session !== undefined && !session.connected, 5000, 'the session to be offline');
}

/** Reconnects to the session and waits for `count` messages plus a sentinel published after them. */
async function resume(broker: TestBroker, version: 4 | 5, clientId: string, topic: string, pub: CollectingClient, count: number): Promise<CollectingClient> {
  const sub = await connectCollecting(broker.url, persistent(version, clientId, true));
  expect(sub.connack.sessionPresent).toBe(true);
  await waitFor(() => sub.received.length >= count, 5000, `${count} queued messages`);
  await pub.client.publishAsync(topic, 'sentinel', { qos: 1 });
  await waitFor(() => sub.received.some((m) => m.payload.toString() === 'sentinel'), 5000, 'sentinel');
  return sub;
}

async function withBroker(config: Partial<BrokerConfig>): Promise<{ get: () => TestBroker }> {
  let broker: TestBroker | undefined;
  beforeAll(async () => {
    broker = await startTestBroker(config);
  });
  afterAll(() => broker?.close());
  return { get: () => broker! };
}

describe('offline queue, maxQueuedMessages 5, drop-oldest', async () => {
  const b = await withBroker({ maxQueuedMessages: 5, queueDropPolicy: 'drop-oldest' });

  for (const version of VERSIONS) {
    it(`(4.1) [MQTT-4.5.0-1] a full queue drops its oldest message: after reconnecting the client gets the newest 5 of 10, in order, and 5 drops are counted (protocol level ${version})`, async () => {
      const broker = b.get();
      const p = fresh('oldest');
      const id = `${p}-sub`;
      await offlineSubscriber(broker, version, id, `${p}/#`);
      const droppedBefore = broker.broker.context.metrics.publishDropped;
      const pub = await connectCollecting(broker.url, { protocolVersion: version });
      const sent = numbered(10);
      for (const [i, m] of sent.entries()) await pub.client.publishAsync(`${p}/t`, m, { qos: i % 2 === 0 ? 1 : 2 });
      const session = broker.broker.context.sessions.get(id)!;
      expect(session.queue.length).toBe(5);
      expect(session.droppedCount).toBe(5);
      expect(broker.broker.context.metrics.publishDropped - droppedBefore).toBe(5);

      const sub = await resume(broker, version, id, `${p}/t`, pub, 5);
      expect(payloads(sub.received)).toEqual(['m6', 'm7', 'm8', 'm9', 'm10', 'sentinel']);
      expect(sub.received.slice(0, 5).map((m) => m.qos)).toEqual([2, 1, 2, 1, 2]);
      expect(session.droppedCount).toBe(5);
    });
  }

  for (const version of VERSIONS) {
    it(`(4.1) QoS 0 messages are not queued for an offline session by default, and their drops are counted (protocol level ${version})`, async () => {
      const broker = b.get();
      const p = fresh('qos0');
      const id = `${p}-sub`;
      await offlineSubscriber(broker, version, id, `${p}/#`);
      const droppedBefore = broker.broker.context.metrics.publishDropped;
      const pub = await connectCollecting(broker.url, { protocolVersion: version });
      await pub.client.publishAsync(`${p}/t`, 'zero-a', { qos: 0 });
      await pub.client.publishAsync(`${p}/t`, 'one-b', { qos: 1 });
      await pub.client.publishAsync(`${p}/t`, 'zero-c', { qos: 0 });
      await pub.client.publishAsync(`${p}/t`, 'two-d', { qos: 2 });
      const session = broker.broker.context.sessions.get(id)!;
      expect(session.queue.length).toBe(2);
      expect(session.droppedCount).toBe(2);
      expect(broker.broker.context.metrics.publishDropped - droppedBefore).toBe(2);
      const sub = await resume(broker, version, id, `${p}/t`, pub, 2);
      expect(payloads(sub.received)).toEqual(['one-b', 'two-d', 'sentinel']);
    });
  }
});

describe('offline queue, from the DISCONNECT on', async () => {
  const b = await withBroker({ queueQos0: true, maxQueuedMessages: 100 });

  it('(4.1) [MQTT-3.3.1-3] messages published after DISCONNECT, before the client has closed its side, are queued; none is lost or sent with DUP 1', async () => {
    const broker = b.get();
    const p = fresh('after-disconnect');
    const id = `${p}-sub`;
    // A peer that sends DISCONNECT and leaves its half of the TCP connection open for a while.
    const socket = netConnect({ port: broker.port, host: '127.0.0.1', allowHalfOpen: true });
    const packets: mqttPacket.Packet[] = [];
    const parser = mqttPacket.parser({ protocolVersion: 5 });
    parser.on('packet', (pk: mqttPacket.Packet) => packets.push(pk));
    socket.on('data', (d) => parser.parse(d));
    socket.on('error', () => {});
    let ended = false;
    socket.on('end', () => (ended = true));
    try {
      const send = (pk: mqttPacket.Packet): boolean => socket.write(mqttPacket.generate(pk, { protocolVersion: 5 }));
      send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clientId: id, clean: true, keepalive: 0, properties: { sessionExpiryInterval: 300 } } as mqttPacket.IConnectPacket);
      await waitFor(() => packets.some((pk) => pk.cmd === 'connack'), 3000, 'CONNACK');
      send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: `${p}/#`, qos: 2, nl: false, rap: false, rh: 0 }] } as mqttPacket.ISubscribePacket);
      await waitFor(() => packets.some((pk) => pk.cmd === 'suback'), 3000, 'SUBACK');
      send({ cmd: 'disconnect', reasonCode: 0 } as mqttPacket.IDisconnectPacket);
      await waitFor(() => ended, 3000, 'the broker to close its side');

      const pub = await connectCollecting(broker.url);
      await pub.client.publishAsync(`${p}/t`, 'zero', { qos: 0 });
      await pub.client.publishAsync(`${p}/t`, 'one', { qos: 1 });
      await pub.client.publishAsync(`${p}/t`, 'two', { qos: 2 });
      expect(packets.filter((pk) => pk.cmd === 'publish')).toEqual([]);

      const sub = await resume(broker, 5, id, `${p}/t`, pub, 3);
      expect(sub.received.map((m) => [m.payload.toString(), m.qos, m.dup])).toEqual([
        ['zero', 0, false],
        ['one', 1, false],
        ['two', 2, false],
        ['sentinel', 1, false],
      ]);
    } finally {
      socket.destroy();
    }
  });
});

describe('offline queue, maxQueuedMessages 5, drop-new', async () => {
  const b = await withBroker({ maxQueuedMessages: 5, queueDropPolicy: 'drop-new' });

  for (const version of VERSIONS) {
    it(`(4.1) a full queue refuses new messages: after reconnecting the client gets the first 5 of 10, in order, and 5 drops are counted (protocol level ${version})`, async () => {
      const broker = b.get();
      const p = fresh('new');
      const id = `${p}-sub`;
      await offlineSubscriber(broker, version, id, `${p}/#`);
      const droppedBefore = broker.broker.context.metrics.publishDropped;
      const pub = await connectCollecting(broker.url, { protocolVersion: version });
      for (const m of numbered(10)) await pub.client.publishAsync(`${p}/t`, m, { qos: 1 });
      const session = broker.broker.context.sessions.get(id)!;
      expect(session.droppedCount).toBe(5);
      expect(broker.broker.context.metrics.publishDropped - droppedBefore).toBe(5);
      const sub = await resume(broker, version, id, `${p}/t`, pub, 5);
      expect(payloads(sub.received)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'sentinel']);
    });
  }
});

describe('offline queue, queueQos0 true', async () => {
  const b = await withBroker({ queueQos0: true, maxQueuedMessages: 100 });

  for (const version of VERSIONS) {
    it(`(4.1) QoS 0 messages are queued with the others when queueQos0 is set, in publication order (protocol level ${version})`, async () => {
      const broker = b.get();
      const p = fresh('q0on');
      const id = `${p}-sub`;
      await offlineSubscriber(broker, version, id, `${p}/#`);
      const pub = await connectCollecting(broker.url, { protocolVersion: version });
      const plan: Array<[string, 0 | 1 | 2]> = [
        ['a', 0],
        ['b', 1],
        ['c', 0],
        ['d', 2],
        ['e', 0],
        ['f', 0],
        ['g', 1],
      ];
      for (const [m, qos] of plan) await pub.client.publishAsync(`${p}/t`, m, { qos });
      const session = broker.broker.context.sessions.get(id)!;
      // QoS 0 has no acknowledgement: wait until the broker has queued them all.
      await waitFor(() => session.queue.length === plan.length, 5000, 'seven queued messages');
      expect(session.droppedCount).toBe(0);
      const sub = await resume(broker, version, id, `${p}/t`, pub, plan.length);
      expect(sub.received.map((m) => [m.payload.toString(), m.qos])).toEqual([...plan, ['sentinel', 1]]);
    });
  }
});

describe('offline queue order with a small in-flight window', async () => {
  const b = await withBroker({ maxInflight: 2, maxQueuedMessages: 1000 });

  for (const version of VERSIONS) {
    it(`[MQTT-4.6.0-6] queued messages are delivered in the order they were published, through an in-flight window of 2 (protocol level ${version})`, async () => {
      const broker = b.get();
      const p = fresh('order');
      const id = `${p}-sub`;
      await offlineSubscriber(broker, version, id, `${p}/#`);
      const pub = await connectCollecting(broker.url, { protocolVersion: version });
      const sent = numbered(30);
      for (const [i, m] of sent.entries()) await pub.client.publishAsync(`${p}/t`, m, { qos: i % 3 === 0 ? 2 : 1 });
      expect(broker.broker.context.sessions.get(id)!.queue.length).toBe(30);
      const sub = await resume(broker, version, id, `${p}/t`, pub, 30);
      expect(payloads(sub.received)).toEqual([...sent, 'sentinel']);
      expect(sub.received.every((m) => !m.dup)).toBe(true);
    });
  }
});
