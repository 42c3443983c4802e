import type { IClientOptions, MqttClient } from 'mqtt';
import type { IConnackPacket, IPublishPacket } from 'mqtt-packet';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerConfig } from '../../src/config.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { sleep, waitFor } from '../helpers/clients.js';
import { closeLifecycleClients, connectV, rawClient, type Connected } from '../helpers/lifecycle.js';
import type { RawClient } from '../helpers/raw-client.js';

/**
 * Sessions (3.1.2.4 Clean Start, 3.1.2.11.2 Session Expiry Interval, 4.1 Session State), the
 * DISCONNECT that updates the expiry (3.14.2.2.2), message delivery retry on reconnection (4.4)
 * and session takeover (3.1.4).
 */

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker();
});
afterAll(() => broker.close());
afterEach(() => closeLifecycleClients());

function brokerWith(config: Partial<BrokerConfig>): { get: () => TestBroker } {
  let b: TestBroker;
  beforeAll(async () => {
    b = await startTestBroker(config);
  });
  afterAll(() => b.close());
  return { get: () => b };
}

let counter = 0;
/** A Client Identifier (and topic root) no other test uses. */
const uid = (prefix: string): string => `${prefix}-${++counter}-${Math.random().toString(16).slice(2, 8)}`;

type Version = 4 | 5;
const label = (v: Version): string => (v === 5 ? '5.0' : '3.1.1');

/** Options for a session that outlives the connection: Clean Start 0 and, in 5.0, an expiry. */
function persistent(version: Version, clientId: string, expiry = 60): IClientOptions {
  return version === 5
    ? { protocolVersion: 5, clientId, clean: false, properties: { sessionExpiryInterval: expiry } }
    : { protocolVersion: 4, clientId, clean: false };
}

/** Publishes a QoS 1 marker to `${root}/marker` and waits until the subscriber has it. */
async function marker(sub: Connected, pub: MqttClient, root: string): Promise<void> {
  const before = sub.received.filter((p) => p.topic === `${root}/marker`).length;
  await pub.publishAsync(`${root}/marker`, 'marker', { qos: 1 });
  await waitFor(() => sub.received.filter((p) => p.topic === `${root}/marker`).length > before, 5000, 'marker');
}

const payloads = (packets: IPublishPacket[]): string[] => packets.map((p) => p.payload.toString());

describe('Clean Start and Session Present', () => {
  for (const version of [4, 5] as const) {
    it(`[MQTT-3.1.2-5] [MQTT-3.2.2-3] Clean Start 0 resumes the session: Session Present 1 and the subscriptions kept (${label(version)})`, async () => {
      const id = uid('resume');
      const first = await connectV(broker.url, persistent(version, id));
      expect(first.connack.sessionPresent).toBe(false);
      await first.client.subscribeAsync(`${id}/#`, { qos: 1 });
      await first.client.endAsync();

      const again = await connectV(broker.url, persistent(version, id));
      expect(again.connack.sessionPresent).toBe(true);
      // Not subscribed again: the session's subscription delivers.
      const pub = await connectV(broker.url, { clientId: uid('pub') });
      await pub.client.publishAsync(`${id}/data`, 'kept', { qos: 1 });
      await waitFor(() => again.received.length === 1, 5000, 'message through the resumed subscription');
      expect(again.received[0]).toMatchObject({ topic: `${id}/data`, qos: 1 });
    });

    it(`[MQTT-3.1.2-4] [MQTT-3.2.2-2] Clean ${version === 5 ? 'Start' : 'Session'} 1 discards the existing session: Session Present 0, subscriptions gone (${label(version)})`, async () => {
      const id = uid('discard');
      const first = await connectV(broker.url, persistent(version, id));
      await first.client.subscribeAsync(`${id}/old`, { qos: 1 });
      await first.client.endAsync();

      const clean = await connectV(broker.url, { protocolVersion: version, clientId: id, clean: true, ...(version === 5 ? { properties: { sessionExpiryInterval: 60 } } : {}) });
      expect(clean.connack.sessionPresent).toBe(false);
      await clean.client.subscribeAsync(`${id}/marker`, { qos: 1 });
      const pub = await connectV(broker.url, { clientId: uid('pub') });
      await pub.client.publishAsync(`${id}/old`, 'must not arrive', { qos: 1 });
      await marker(clean, pub.client, id);
      expect(clean.received.map((p) => p.topic)).toEqual([`${id}/marker`]);
    });

    it(`[MQTT-3.1.2-6] [MQTT-3.2.2-3] Clean Start 0 without an existing session creates one: Session Present 0 (${label(version)})`, async () => {
      const { connack } = await connectV(broker.url, persistent(version, uid('fresh')));
      expect(connack.sessionPresent).toBe(false);
    });
  }

  it('[MQTT-3.1.2-4] 3.1.1 Clean Session 1 ends the session with the connection: a later Clean Session 0 connection finds none', async () => {
    const id = uid('cs1');
    const first = await connectV(broker.url, { protocolVersion: 4, clientId: id, clean: true });
    await first.client.subscribeAsync(`${id}/t`, { qos: 1 });
    await first.client.endAsync();
    const again = await connectV(broker.url, persistent(4, id));
    expect(again.connack.sessionPresent).toBe(false);
  });

  it('(3.1.2.11.2) 5.0 Session Expiry Interval absent (0) ends the session with the connection', async () => {
    const id = uid('se0');
    const first = await connectV(broker.url, { protocolVersion: 5, clientId: id, clean: false });
    await first.client.subscribeAsync(`${id}/t`, { qos: 1 });
    await first.client.endAsync();
    const again = await connectV(broker.url, persistent(5, id));
    expect(again.connack.sessionPresent).toBe(false);
  });
});

describe('messages for a disconnected session', () => {
  for (const version of [4, 5] as const) {
    it(`[MQTT-3.1.2-23] [MQTT-4.5.0-1] QoS 1 and 2 messages published while offline are delivered on reconnect; QoS 0 is not queued by default (${label(version)})`, async () => {
      const id = uid('offline');
      const sub = await connectV(broker.url, persistent(version, id));
      await sub.client.subscribeAsync(`${id}/#`, { qos: 2 });
      await sub.client.endAsync();

      const pub = await connectV(broker.url, { clientId: uid('pub') });
      await pub.client.publishAsync(`${id}/q0`, 'zero', { qos: 0 });
      await pub.client.publishAsync(`${id}/q1`, 'one', { qos: 1 });
      await pub.client.publishAsync(`${id}/q2`, 'two', { qos: 2 });

      const back = await connectV(broker.url, persistent(version, id));
      expect(back.connack.sessionPresent).toBe(true);
      await waitFor(() => back.received.length >= 2, 5000, 'queued messages');
      await marker(back, pub.client, id);
      expect(back.received.map((p) => [p.topic, p.payload.toString(), p.qos])).toEqual([
        [`${id}/q1`, 'one', 1],
        [`${id}/q2`, 'two', 2],
        [`${id}/marker`, 'marker', 1],
      ]);
    });
  }

  describe('with queueQos0 true', () => {
    const q0 = brokerWith({ queueQos0: true });

    it('(4.1) QoS 0 messages published while offline are queued and delivered on reconnect', async () => {
      const id = uid('offline-q0');
      const sub = await connectV(q0.get().url, persistent(5, id));
      await sub.client.subscribeAsync(`${id}/#`, { qos: 1 });
      await sub.client.endAsync();
      const pub = await connectV(q0.get().url, { clientId: uid('pub') });
      await pub.client.publishAsync(`${id}/a`, 'zero-a', { qos: 0 });
      await pub.client.publishAsync(`${id}/b`, 'one-b', { qos: 1 });
      await pub.client.publishAsync(`${id}/c`, 'zero-c', { qos: 0 });

      const back = await connectV(q0.get().url, persistent(5, id));
      expect(back.connack.sessionPresent).toBe(true);
      await waitFor(() => back.received.length >= 3, 5000, 'queued messages');
      expect(back.received.map((p) => [p.payload.toString(), p.qos])).toEqual([
        ['zero-a', 0],
        ['one-b', 1],
        ['zero-c', 0],
      ]);
    });
  });

  it('[MQTT-4.1.0-1] the session is not discarded while the connection is open, however long its expiry has run', async () => {
    const id = uid('open');
    const sub = await connectV(broker.url, persistent(5, id, 1));
    await sub.client.subscribeAsync(`${id}/#`, { qos: 1 });
    await sleep(1700);
    const pub = await connectV(broker.url, { clientId: uid('pub') });
    await marker(sub, pub.client, id);
    await sub.client.endAsync();
    const back = await connectV(broker.url, persistent(5, id, 1));
    expect(back.connack.sessionPresent).toBe(true);
    // Leave nothing behind that would expire during a later test.
    await back.client.endAsync(false, { reasonCode: 0, properties: { sessionExpiryInterval: 0 } });
  });
});

describe('session expiry', () => {
  const sessions = () => broker.broker.context.sessions;
  const metrics = () => broker.broker.context.metrics;

  // 3.1.1 sessions have no expiry of their own: they get defaultSessionExpiryInterval (1 s here).
  // This broker is also where expiries are counted, so no other test's session expires meanwhile.
  const shortDefault = brokerWith({ defaultSessionExpiryInterval: 1 });

  for (const version of [4, 5] as const) {
    it(`[MQTT-4.1.0-2] a session is discarded once its expiry interval has passed: Session Present 0, queued messages gone, counted as expired (${label(version)})`, async () => {
      const target = shortDefault.get();
      const id = uid('expire');
      const sub = await connectV(target.url, persistent(version, id, 1));
      await sub.client.subscribeAsync(`${id}/#`, { qos: 1 });
      await sub.client.endAsync();
      const expiredBefore = target.broker.context.metrics.clientsExpired;
      const pub = await connectV(target.url, { clientId: uid('pub') });
      await pub.client.publishAsync(`${id}/lost`, 'queued then expired', { qos: 1 });

      await waitFor(() => target.broker.context.sessions.get(id) === undefined, 6000, 'session expiry');
      expect(target.broker.context.metrics.clientsExpired).toBe(expiredBefore + 1);

      const back = await connectV(target.url, persistent(version, id, 1));
      expect(back.connack.sessionPresent).toBe(false);
      await back.client.subscribeAsync(`${id}/marker`, { qos: 1 });
      await marker(back, pub.client, id);
      expect(back.received.map((p) => p.topic)).toEqual([`${id}/marker`]);
      // Discard the new session (Clean Start 1, expiry 0) so it does not expire during the next test.
      await back.client.endAsync();
      const discard = await connectV(target.url, { protocolVersion: version, clientId: id, clean: true });
      await discard.client.endAsync();
    });
  }

  it('[MQTT-3.1.2-23] a 3.1.1 persistent session is kept for defaultSessionExpiryInterval: resumed within it', async () => {
    const b = shortDefault.get();
    const id = uid('default-within');
    const first = await connectV(b.url, persistent(4, id));
    await first.client.subscribeAsync(`${id}/#`, { qos: 1 });
    await first.client.endAsync();
    const again = await connectV(b.url, persistent(4, id));
    expect(again.connack.sessionPresent).toBe(true);
  });

  describe('with maxSessionExpiryInterval 1', () => {
    const capped = brokerWith({ maxSessionExpiryInterval: 1 });

    it('(3.2.2.3.2) a requested expiry above the cap is answered with Session Expiry Interval 1 in CONNACK, and applied', async () => {
      const b = capped.get();
      const id = uid('cap');
      const first = await connectV(b.url, persistent(5, id, 3600));
      expect(first.connack.properties?.sessionExpiryInterval).toBe(1);
      await first.client.subscribeAsync(`${id}/#`, { qos: 1 });
      await first.client.endAsync();
      await waitFor(() => b.broker.context.sessions.get(id) === undefined, 6000, 'capped session expiry');
      const again = await connectV(b.url, persistent(5, id, 3600));
      expect(again.connack.sessionPresent).toBe(false);
    });

    it('(3.2.2.3.2) a requested expiry within the cap is not echoed in CONNACK', async () => {
      const { connack } = await connectV(capped.get().url, persistent(5, uid('cap-within'), 1));
      expect(connack.properties?.sessionExpiryInterval).toBeUndefined();
    });
  });

  it('(3.14.2.2.2) DISCONNECT with Session Expiry Interval 0 after CONNECT with 10 ends the session at once', async () => {
    const id = uid('disc-zero');
    const first = await connectV(broker.url, persistent(5, id, 10));
    await first.client.subscribeAsync(`${id}/#`, { qos: 1 });
    await first.client.endAsync(false, { reasonCode: 0, properties: { sessionExpiryInterval: 0 } });
    const again = await connectV(broker.url, persistent(5, id, 10));
    expect(again.connack.sessionPresent).toBe(false);
    expect(sessions().get(id)).toBeDefined(); // the new session
  });

  it('(3.14.2.2.2) DISCONNECT can shorten a non-zero Session Expiry Interval (never-expiring to 1 s)', async () => {
    const id = uid('disc-shorten');
    const first = await connectV(broker.url, persistent(5, id, 0xffffffff));
    await first.client.subscribeAsync(`${id}/#`, { qos: 1 });
    const expiredBefore = metrics().clientsExpired;
    await first.client.endAsync(false, { reasonCode: 0, properties: { sessionExpiryInterval: 1 } });
    await waitFor(() => sessions().get(id) === undefined, 6000, 'shortened session expiry');
    expect(metrics().clientsExpired).toBe(expiredBefore + 1);
    const again = await connectV(broker.url, persistent(5, id, 10));
    expect(again.connack.sessionPresent).toBe(false);
  });

  it('(3.14.2.2.2) DISCONNECT setting a non-zero Session Expiry Interval when CONNECT had 0 is a Protocol Error: DISCONNECT 0x82, session not kept', async () => {
    const id = uid('disc-raise');
    const c = rawClient(broker.port, 5);
    await c.connect({ protocolVersion: 5, clientId: id, clean: false });
    await c.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: `${id}/#`, qos: 1 }] }, 5);
    await c.next('suback');
    await c.send({ cmd: 'disconnect', reasonCode: 0, properties: { sessionExpiryInterval: 60 } }, 5);
    expect(await c.next('disconnect')).toMatchObject({ reasonCode: 0x82 });
    expect(await c.waitClosed()).toBe(true);
    const again = await connectV(broker.url, persistent(5, id, 60));
    expect(again.connack.sessionPresent).toBe(false);
  });
});

describe('message delivery retry on reconnection', () => {
  async function rawPersistent(version: Version, clientId: string): Promise<{ c: RawClient; connack: IConnackPacket }> {
    const c = rawClient(broker.port, version);
    const connack = (await c.connect({ protocolVersion: version, clientId, clean: false, ...(version === 5 ? { properties: { sessionExpiryInterval: 60 } } : {}) })) as IConnackPacket;
    return { c, connack };
  }

  for (const version of [4, 5] as const) {
    it(`[MQTT-4.4.0-1] [MQTT-3.3.1-1] unacknowledged QoS 1 and 2 PUBLISH packets are resent with DUP 1, the same Packet Identifiers and payloads (${label(version)})`, async () => {
      const id = uid('resend');
      const { c } = await rawPersistent(version, id);
      await c.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: `${id}/#`, qos: 2 }] }, version);
      await c.next('suback');
      const pub = await connectV(broker.url, { clientId: uid('pub') });
      await pub.client.publishAsync(`${id}/one`, 'payload-one', { qos: 1 });
      await pub.client.publishAsync(`${id}/two`, 'payload-two', { qos: 2 });
      const first1 = (await c.next('publish')) as IPublishPacket;
      const first2 = (await c.next('publish')) as IPublishPacket;
      expect([first1.dup, first2.dup]).toEqual([false, false]);
      // No PUBACK, no PUBREC: the connection drops.
      c.destroy();

      const { c: again, connack } = await rawPersistent(version, id);
      expect(connack.sessionPresent).toBe(true);
      const re1 = (await again.next('publish')) as IPublishPacket;
      const re2 = (await again.next('publish')) as IPublishPacket;
      expect([re1.topic, re1.payload.toString(), re1.qos, re1.dup, re1.messageId]).toEqual([`${id}/one`, 'payload-one', 1, true, first1.messageId]);
      expect([re2.topic, re2.payload.toString(), re2.qos, re2.dup, re2.messageId]).toEqual([`${id}/two`, 'payload-two', 2, true, first2.messageId]);

      // Acknowledged now: [MQTT-4.4.0-1] nothing is resent at any other time, nor on the next reconnection.
      await again.send({ cmd: 'puback', messageId: re1.messageId! }, version);
      await again.send({ cmd: 'pubrec', messageId: re2.messageId! }, version);
      expect(await again.next('pubrel')).toMatchObject({ messageId: re2.messageId });
      await again.send({ cmd: 'pubcomp', messageId: re2.messageId! }, version);
      again.destroy();
      const { c: third } = await rawPersistent(version, id);
      await pub.client.publishAsync(`${id}/marker`, 'marker', { qos: 1 });
      const next = (await third.next('publish')) as IPublishPacket;
      expect([next.topic, next.dup]).toEqual([`${id}/marker`, false]);
      expect(third.packets).toEqual([]);
    });

    it(`[MQTT-4.4.0-1] [MQTT-4.3.3-6] after PUBREC the PUBREL is resent on reconnection, and the PUBLISH is not (${label(version)})`, async () => {
      const id = uid('pubrel');
      const { c } = await rawPersistent(version, id);
      await c.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: `${id}/#`, qos: 2 }] }, version);
      await c.next('suback');
      const pub = await connectV(broker.url, { clientId: uid('pub') });
      await pub.client.publishAsync(`${id}/exactly-once`, 'q2', { qos: 2 });
      const publish = (await c.next('publish')) as IPublishPacket;
      await c.send({ cmd: 'pubrec', messageId: publish.messageId! }, version);
      expect(await c.next('pubrel')).toMatchObject({ messageId: publish.messageId });
      // No PUBCOMP: the connection drops.
      c.destroy();

      const { c: again, connack } = await rawPersistent(version, id);
      expect(connack.sessionPresent).toBe(true);
      expect(await again.next('pubrel')).toMatchObject({ cmd: 'pubrel', messageId: publish.messageId });
      await again.send({ cmd: 'pubcomp', messageId: publish.messageId! }, version);
      await pub.client.publishAsync(`${id}/marker`, 'marker', { qos: 1 });
      const next = (await again.next('publish')) as IPublishPacket;
      expect(next.topic).toBe(`${id}/marker`);
      expect(again.packets).toEqual([]);
    });
  }
});

describe('session takeover', () => {
  it('[MQTT-3.1.4-3] 5.0: a second connection with the same ClientID closes the first with DISCONNECT 0x8E; the new one works', async () => {
    const id = uid('takeover5');
    const first = await connectV(broker.url, { clientId: id });
    const second = await connectV(broker.url, { clientId: id });
    await waitFor(() => first.isClosed(), 5000, 'first connection closed');
    expect(first.disconnects.map((d) => d.reasonCode)).toEqual([0x8e]);
    expect(second.isClosed()).toBe(false);
    await second.client.subscribeAsync(`${id}/t`, { qos: 1 });
    await second.client.publishAsync(`${id}/t`, 'works', { qos: 1 });
    await waitFor(() => second.received.length === 1, 5000, 'message on the new connection');
    expect(second.received[0]!.payload.toString()).toBe('works');
  });

  it('[MQTT-3.1.4-3] 3.1.1: the first connection is closed without a packet', async () => {
    const id = uid('takeover311');
    const first = rawClient(broker.port, 4);
    await first.connect({ protocolVersion: 4, clientId: id });
    const second = rawClient(broker.port, 4);
    expect(await second.connect({ protocolVersion: 4, clientId: id })).toMatchObject({ returnCode: 0 });
    expect(await first.waitClosed()).toBe(true);
    expect(first.packets).toEqual([]);
    await second.send({ cmd: 'pingreq' }, 4);
    expect(await second.next('pingresp')).toMatchObject({ cmd: 'pingresp' });
  });

  for (const version of [4, 5] as const) {
    it(`[MQTT-3.1.4-3] [MQTT-3.1.2-5] subscriptions survive a takeover with Clean Start 0 (${label(version)})`, async () => {
      const id = uid('takeover-keep');
      const first = await connectV(broker.url, persistent(version, id));
      await first.client.subscribeAsync(`${id}/#`, { qos: 1 });
      const second = await connectV(broker.url, persistent(version, id));
      expect(second.connack.sessionPresent).toBe(true);
      await waitFor(() => first.isClosed(), 5000, 'first connection closed');
      const pub = await connectV(broker.url, { clientId: uid('pub') });
      await pub.client.publishAsync(`${id}/after`, 'to the new connection', { qos: 1 });
      await waitFor(() => second.received.length === 1, 5000, 'message through the taken-over subscription');
      expect(payloads(second.received)).toEqual(['to the new connection']);
      expect(first.received).toEqual([]);
    });
  }

  it('[MQTT-3.1.4-4] a takeover with Clean Start 1 starts a new session: Session Present 0, the old subscriptions gone', async () => {
    const id = uid('takeover-clean');
    const first = await connectV(broker.url, persistent(5, id));
    await first.client.subscribeAsync(`${id}/old`, { qos: 1 });
    const second = await connectV(broker.url, { protocolVersion: 5, clientId: id, clean: true, properties: { sessionExpiryInterval: 60 } });
    expect(second.connack.sessionPresent).toBe(false);
    await second.client.subscribeAsync(`${id}/marker`, { qos: 1 });
    const pub = await connectV(broker.url, { clientId: uid('pub') });
    await pub.client.publishAsync(`${id}/old`, 'must not arrive', { qos: 1 });
    await marker(second, pub.client, id);
    expect(second.received.map((p) => p.topic)).toEqual([`${id}/marker`]);
  });

  it('(3.1.4) taking over a 5.0 connection whose Session Expiry Interval is 0 ends that session: Session Present 0', async () => {
    const id = uid('takeover-se0');
    const first = await connectV(broker.url, { protocolVersion: 5, clientId: id, clean: false });
    await first.client.subscribeAsync(`${id}/t`, { qos: 1 });
    const second = await connectV(broker.url, persistent(5, id));
    expect(second.connack.sessionPresent).toBe(false);
  });

  it('[MQTT-4.4.0-1] [MQTT-3.14.2-2] in-flight messages of the taken-over connection are resent to the new one with DUP 1', async () => {
    const id = uid('takeover-inflight');
    const first = rawClient(broker.port, 5);
    await first.connect({ protocolVersion: 5, clientId: id, clean: false, properties: { sessionExpiryInterval: 60 } });
    await first.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: `${id}/#`, qos: 1 }] }, 5);
    await first.next('suback');
    const pub = await connectV(broker.url, { clientId: uid('pub') });
    await pub.client.publishAsync(`${id}/pending`, 'unacked', { qos: 1 });
    const original = (await first.next('publish')) as IPublishPacket;
    const second = rawClient(broker.port, 5);
    expect(await second.connect({ protocolVersion: 5, clientId: id, clean: false, properties: { sessionExpiryInterval: 60 } })).toMatchObject({ sessionPresent: true });
    const disconnect = await first.next('disconnect');
    expect(disconnect).toMatchObject({ reasonCode: 0x8e });
    // [MQTT-3.14.2-2] the server never sends a Session Expiry Interval on DISCONNECT.
    expect((disconnect as { properties?: { sessionExpiryInterval?: number } }).properties?.sessionExpiryInterval).toBeUndefined();
    const resent = (await second.next('publish')) as IPublishPacket;
    expect([resent.payload.toString(), resent.dup, resent.messageId]).toEqual(['unacked', true, original.messageId]);
  });
});
