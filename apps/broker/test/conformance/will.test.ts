import type { IClientOptions } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { sleep, waitFor } from '../helpers/clients.js';
import { closeLifecycleClients, connectV, dropConnection, rawClient, type Connected } from '../helpers/lifecycle.js';

/**
 * Will Messages (3.1.2.5 - 3.1.2.7, 3.1.3.2): when they are published (abnormal close, keep alive
 * timeout, takeover, DISCONNECT 0x04, protocol error) and when not (DISCONNECT 0x00, reconnection
 * within the Will Delay Interval), what they carry, and the Will Delay Interval against the
 * Session Expiry Interval.
 */

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker();
});
afterAll(() => broker.close());
afterEach(() => closeLifecycleClients());

let counter = 0;
const uid = (prefix: string): string => `${prefix}-${++counter}-${Math.random().toString(16).slice(2, 8)}`;

type Version = 4 | 5;
const label = (v: Version): string => (v === 5 ? '5.0' : '3.1.1');

/** A 5.0 subscriber to `${root}/#` that sees the RETAIN flag as published. */
async function watcher(root: string): Promise<Connected> {
  const w = await connectV(broker.url, { clientId: uid('watcher') });
  await w.client.subscribeAsync(`${root}/#`, { qos: 2, rap: true });
  return w;
}

function withWill(version: Version, clientId: string, will: NonNullable<IClientOptions['will']>, extra: IClientOptions = {}): IClientOptions {
  return { protocolVersion: version, clientId, will, ...extra };
}

/** Waits until the broker has finished with the client's connection (its will, if any, is out by then). */
async function brokerReleased(clientId: string): Promise<void> {
  await waitFor(() => broker.broker.context.sessions.connection(clientId) === undefined, 5000, 'broker released the connection');
}

/** Publishes a marker to `${root}/marker` and waits for the watcher to get it. */
async function marker(w: Connected, root: string): Promise<void> {
  const pub = await connectV(broker.url, { clientId: uid('marker') });
  await pub.client.publishAsync(`${root}/marker`, 'marker', { qos: 1 });
  await waitFor(() => w.received.some((p) => p.topic === `${root}/marker`), 5000, 'marker');
}

const topics = (w: Connected): string[] => w.received.map((p) => p.topic);

describe('when the will is published', () => {
  for (const version of [4, 5] as const) {
    it(`[MQTT-3.1.2-8] the will is published when the network connection closes without DISCONNECT (${label(version)})`, async () => {
      const id = uid('abnormal');
      const w = await watcher(id);
      const c = await connectV(broker.url, withWill(version, id, { topic: `${id}/will`, payload: Buffer.from('gone'), qos: 1, retain: false }));
      dropConnection(c.client);
      await waitFor(() => w.received.length === 1, 5000, 'will');
      expect(w.received[0]).toMatchObject({ topic: `${id}/will`, qos: 1, retain: false, dup: false });
      expect(w.received[0]!.payload.toString()).toBe('gone');
    });

    it(`[MQTT-3.14.4-3] [MQTT-3.1.2-10] the will is discarded on DISCONNECT with 0x00 (${label(version)})`, async () => {
      const id = uid('normal');
      const w = await watcher(id);
      const c = await connectV(broker.url, withWill(version, id, { topic: `${id}/will`, payload: Buffer.from('must not'), qos: 1, retain: false }));
      await c.client.endAsync();
      await brokerReleased(id);
      await marker(w, id);
      expect(topics(w)).toEqual([`${id}/marker`]);
    });

    it(`[MQTT-3.1.2-8] the will is published when the keep alive expires (${label(version)})`, async () => {
      const id = uid('keepalive');
      const w = await watcher(id);
      const c = rawClient(broker.port, version);
      await c.connect({ protocolVersion: version, clientId: id, keepalive: 1, will: { topic: `${id}/will`, payload: Buffer.from('timed out'), qos: 0, retain: false } });
      await waitFor(() => w.received.length === 1, 6000, 'will after the keep alive timeout');
      expect(w.received[0]).toMatchObject({ topic: `${id}/will` });
      expect(w.received[0]!.payload.toString()).toBe('timed out');
      // The will can reach the watcher a moment before the client sees its socket close.
      await waitFor(() => c.closed, 2000, 'connection closed after the keep alive timeout');
      expect(c.closed).toBe(true);
    });

    it(`[MQTT-3.1.4-3] [MQTT-3.1.2-8] the will of a connection that is taken over is published (${label(version)})`, async () => {
      const id = uid('takeover');
      const w = await watcher(id);
      const first = await connectV(broker.url, withWill(version, id, { topic: `${id}/will`, payload: Buffer.from('replaced'), qos: 1, retain: false }));
      const second = await connectV(broker.url, { protocolVersion: version, clientId: id });
      await waitFor(() => w.received.length === 1, 5000, 'will of the taken-over connection');
      expect(w.received[0]!.payload.toString()).toBe('replaced');
      await waitFor(() => first.isClosed(), 5000, 'first closed');
      expect(second.isClosed()).toBe(false);
    });
  }

  it('[MQTT-3.1.2-8] DISCONNECT with 0x04 (Disconnect with Will Message) publishes the will', async () => {
    const id = uid('disc04');
    const w = await watcher(id);
    const c = await connectV(broker.url, withWill(5, id, { topic: `${id}/will`, payload: Buffer.from('on purpose'), qos: 1, retain: false }));
    await c.client.endAsync(false, { reasonCode: 0x04 });
    await waitFor(() => w.received.length === 1, 5000, 'will');
    expect(w.received[0]!.payload.toString()).toBe('on purpose');
  });

  it('[MQTT-3.1.2-8] a DISCONNECT that is a Protocol Error (Session Expiry raised from 0) does not discard the will', async () => {
    const id = uid('disc-error');
    const w = await watcher(id);
    const c = rawClient(broker.port, 5);
    await c.connect({ protocolVersion: 5, clientId: id, will: { topic: `${id}/will`, payload: Buffer.from('after error'), qos: 0, retain: false } });
    await c.send({ cmd: 'disconnect', reasonCode: 0, properties: { sessionExpiryInterval: 30 } }, 5);
    expect(await c.next('disconnect')).toMatchObject({ reasonCode: 0x82 });
    await waitFor(() => w.received.length === 1, 5000, 'will');
    expect(w.received[0]!.payload.toString()).toBe('after error');
  });
});

describe('what the will carries', () => {
  it('[MQTT-3.1.3-10] [MQTT-3.3.2-4] [MQTT-3.3.2-15] [MQTT-3.3.2-16] [MQTT-3.3.2-17] [MQTT-3.3.2-20] will properties are passed on: payload format, content type, response topic, correlation data, user properties in order', async () => {
    const id = uid('props');
    const w = await watcher(id);
    const c = await connectV(broker.url, withWill(5, id, {
      topic: `${id}/will`,
      payload: Buffer.from('{"state":"offline"}'),
      qos: 1,
      retain: false,
      properties: {
        payloadFormatIndicator: true,
        contentType: 'application/json',
        responseTopic: `${id}/reply`,
        correlationData: Buffer.from([1, 2, 3, 250]),
        userProperties: { first: '1', second: ['2a', '2b'], third: '3' },
        messageExpiryInterval: 120,
      },
    }));
    dropConnection(c.client);
    await waitFor(() => w.received.length === 1, 5000, 'will');
    const will = w.received[0]!;
    expect(will.payload.toString()).toBe('{"state":"offline"}');
    expect(will.properties).toMatchObject({
      payloadFormatIndicator: true,
      contentType: 'application/json',
      responseTopic: `${id}/reply`,
      correlationData: Buffer.from([1, 2, 3, 250]),
    });
    expect(Object.entries(will.properties!.userProperties!)).toEqual([
      ['first', '1'],
      ['second', ['2a', '2b']],
      ['third', '3'],
    ]);
  });

  it('[MQTT-3.3.2-6] the will\'s Message Expiry Interval is sent, less the time it waited', async () => {
    const id = uid('expiry');
    const w = await watcher(id);
    const c = await connectV(broker.url, withWill(5, id, { topic: `${id}/will`, payload: Buffer.from('x'), qos: 1, retain: false, properties: { messageExpiryInterval: 120 } }));
    dropConnection(c.client);
    await waitFor(() => w.received.length === 1, 5000, 'will');
    const expiry = w.received[0]!.properties?.messageExpiryInterval;
    expect(expiry).toBeGreaterThan(100);
    expect(expiry).toBeLessThanOrEqual(120);
  });

  it('(3.1.3.2.4) a will without Message Expiry Interval is sent without one', async () => {
    const id = uid('no-expiry');
    const w = await watcher(id);
    const c = await connectV(broker.url, withWill(5, id, { topic: `${id}/will`, payload: Buffer.from('x'), qos: 1, retain: false }));
    dropConnection(c.client);
    await waitFor(() => w.received.length === 1, 5000, 'will');
    expect(w.received[0]!.properties?.messageExpiryInterval).toBeUndefined();
  });

  for (const version of [4, 5] as const) {
    it(`[MQTT-3.1.2-15] a will with Will Retain 1 is published as a retained message: a later subscriber gets it (${label(version)})`, async () => {
      const id = uid('retained');
      const w = await watcher(id);
      const c = await connectV(broker.url, withWill(version, id, { topic: `${id}/will`, payload: Buffer.from('last state'), qos: 1, retain: true }));
      dropConnection(c.client);
      await waitFor(() => w.received.length === 1, 5000, 'will');
      expect(w.received[0]!.retain).toBe(true);
      const late = await connectV(broker.url, { clientId: uid('late') });
      await late.client.subscribeAsync(`${id}/will`, { qos: 1 });
      await waitFor(() => late.received.length === 1, 5000, 'retained will');
      expect(late.received[0]).toMatchObject({ topic: `${id}/will`, retain: true });
      expect(late.received[0]!.payload.toString()).toBe('last state');
    });
  }

  it('[MQTT-3.1.2-14] a will with Will Retain 0 is published as a non-retained message: a later subscriber gets nothing', async () => {
    const id = uid('not-retained');
    const w = await watcher(id);
    const c = await connectV(broker.url, withWill(5, id, { topic: `${id}/will`, payload: Buffer.from('transient'), qos: 1, retain: false }));
    dropConnection(c.client);
    await waitFor(() => w.received.length === 1, 5000, 'will');
    expect(w.received[0]!.retain).toBe(false);
    const late = await connectV(broker.url, { clientId: uid('late') });
    await late.client.subscribeAsync(`${id}/#`, { qos: 1 });
    const pub = await connectV(broker.url, { clientId: uid('pub') });
    await pub.client.publishAsync(`${id}/marker`, 'marker', { qos: 1 });
    await waitFor(() => late.received.length >= 1, 5000, 'marker');
    expect(late.received.map((p) => p.topic)).toEqual([`${id}/marker`]);
  });
});

describe('Will Delay Interval', () => {
  it('(3.1.3.2.2) the will is published once the Will Delay Interval has passed, not before', async () => {
    const id = uid('delay');
    const w = await watcher(id);
    const c = await connectV(broker.url, withWill(5, id, { topic: `${id}/will`, payload: Buffer.from('late'), qos: 1, retain: false, properties: { willDelayInterval: 2 } }, { clean: false, properties: { sessionExpiryInterval: 30 } }));
    const dropped = Date.now();
    dropConnection(c.client);
    await waitFor(() => w.received.length === 1, 8000, 'delayed will');
    expect(Date.now() - dropped).toBeGreaterThanOrEqual(1900);
    expect(w.received[0]!.payload.toString()).toBe('late');
  });

  it('[MQTT-3.1.3-9] [MQTT-3.1.2-8] a client that reconnects to its session before the Will Delay Interval passes cancels the will', async () => {
    const id = uid('delay-cancel');
    const w = await watcher(id);
    const options = withWill(5, id, { topic: `${id}/will`, payload: Buffer.from('must not'), qos: 1, retain: false, properties: { willDelayInterval: 2 } }, { clean: false, properties: { sessionExpiryInterval: 30 } });
    const c = await connectV(broker.url, options);
    dropConnection(c.client);
    await brokerReleased(id);
    const back = await connectV(broker.url, { protocolVersion: 5, clientId: id, clean: false, properties: { sessionExpiryInterval: 30 } });
    expect(back.connack.sessionPresent).toBe(true);
    // Past the 2 s delay: the will would be out by now.
    await sleep(2500);
    await marker(w, id);
    expect(topics(w)).toEqual([`${id}/marker`]);
  });

  it('[MQTT-3.1.3-9] a takeover with Clean Start 0 of a connection whose will is delayed does not publish it', async () => {
    const id = uid('delay-takeover');
    const w = await watcher(id);
    await connectV(broker.url, withWill(5, id, { topic: `${id}/will`, payload: Buffer.from('must not'), qos: 1, retain: false, properties: { willDelayInterval: 2 } }, { clean: false, properties: { sessionExpiryInterval: 30 } }));
    const second = await connectV(broker.url, { protocolVersion: 5, clientId: id, clean: false, properties: { sessionExpiryInterval: 30 } });
    expect(second.connack.sessionPresent).toBe(true);
    // Past the 2 s delay: the will would be out by now.
    await sleep(2500);
    await marker(w, id);
    expect(topics(w)).toEqual([`${id}/marker`]);
  });

  it('[MQTT-3.1.2-8] a reconnection with Clean Start 1 ends the session, so a delayed will is published at once', async () => {
    const id = uid('delay-clean');
    const w = await watcher(id);
    const c = await connectV(broker.url, withWill(5, id, { topic: `${id}/will`, payload: Buffer.from('session over'), qos: 1, retain: false, properties: { willDelayInterval: 30 } }, { clean: false, properties: { sessionExpiryInterval: 60 } }));
    dropConnection(c.client);
    await brokerReleased(id);
    expect(w.received).toEqual([]);
    const fresh = await connectV(broker.url, { protocolVersion: 5, clientId: id, clean: true });
    expect(fresh.connack.sessionPresent).toBe(false);
    // Far sooner than the 30 s delay.
    await waitFor(() => w.received.length === 1, 5000, 'will at session end');
    expect(w.received[0]!.payload.toString()).toBe('session over');
  });

  it('[MQTT-3.1.2-8] a will delayed beyond the Session Expiry Interval is published when the session expires', async () => {
    const id = uid('delay-expiry');
    const w = await watcher(id);
    const c = await connectV(broker.url, withWill(5, id, { topic: `${id}/will`, payload: Buffer.from('session expired'), qos: 1, retain: false, properties: { willDelayInterval: 60 } }, { clean: false, properties: { sessionExpiryInterval: 1 } }));
    dropConnection(c.client);
    // Far sooner than the 60 s delay: at the end of the 1 s session.
    await waitFor(() => w.received.length === 1, 6000, 'will at session expiry');
    expect(w.received[0]!.payload.toString()).toBe('session expired');
    expect(broker.broker.context.sessions.get(id)).toBeUndefined();
  });

  it('[MQTT-3.1.2-8] a delayed will of a connection with Session Expiry Interval 0 is published when the connection closes', async () => {
    const id = uid('delay-se0');
    const w = await watcher(id);
    const c = await connectV(broker.url, withWill(5, id, { topic: `${id}/will`, payload: Buffer.from('no session to wait for'), qos: 1, retain: false, properties: { willDelayInterval: 60 } }));
    dropConnection(c.client);
    await waitFor(() => w.received.length === 1, 5000, 'will');
    expect(w.received[0]!.payload.toString()).toBe('no session to wait for');
  });
});
