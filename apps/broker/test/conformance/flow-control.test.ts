import { spawnSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { closeAllClients, collect, connectClient, waitFor } from '../helpers/clients.js';
import { WirePeer, encode, type Version } from '../helpers/wire-peer.js';

/**
 * Flow control (4.9): the client's Receive Maximum and the server's maxInflight bound the
 * outbound window; the server's Receive Maximum is enforced inbound; a slow consumer cannot make
 * the broker buffer without bound; thousands of connections are served at once.
 */

const MAX_WRITE_BUFFER = 64 * 1024;
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
  broker = await startTestBroker({ maxInflight: 3, receiveMaximum: 3, maxWriteBufferBytes: MAX_WRITE_BUFFER });
});
afterAll(() => broker.close());
afterEach(async () => {
  for (const p of peers.splice(0)) p.destroy();
  await closeAllClients();
});

/**
 * PINGREQ -> PINGRESP: everything the broker wrote before answering has arrived when the
 * PINGRESP does (one ordered stream), so "nothing more" can be asserted without sleeping.
 * It also shows a full window does not hold back non-PUBLISH packets ([MQTT-3.3.4-10]).
 */
async function barrier(p: WirePeer): Promise<void> {
  await p.send({ cmd: 'pingreq' });
  await p.next('pingresp');
}

describe('outbound window', () => {
  it("[MQTT-3.3.4-9] a subscriber with Receive Maximum 2 that does not acknowledge gets exactly 2 QoS 1 PUBLISH packets; one PUBACK lets exactly one more through", async () => {
    const topic = uniqueTopic('rm2');
    const sub = peer(5);
    await sub.connect({ properties: { receiveMaximum: 2 } });
    await sub.subscribe(topic, 1);
    const pub = peer(5);
    await pub.connect();
    for (let i = 1; i <= 5; i++) {
      await pub.send({ cmd: 'publish', topic, payload: Buffer.from(`m${i}`), qos: 1, messageId: i, retain: false, dup: false });
    }
    // A QoS 0 message is outside the window: once it arrives, all five were routed.
    await pub.send({ cmd: 'publish', topic, payload: Buffer.from('qos0-marker'), qos: 0, retain: false, dup: false });
    await waitFor(() => sub.received.some((p) => p.cmd === 'publish' && text(p) === 'qos0-marker'), 3000, 'the QoS 0 marker');
    await barrier(sub);
    const window = sub.take('publish').filter((p) => p.qos === 1);
    expect(window.map(text)).toEqual(['m1', 'm2']);

    await sub.send({ cmd: 'puback', messageId: window[0]!.messageId! });
    await barrier(sub);
    const third = sub.take('publish');
    expect(third.map(text)).toEqual(['m3']);

    // Acknowledging the oldest each time drains the queue in order, one message per PUBACK.
    const outstanding = [window[1]!, third[0]!];
    const got: string[] = ['m1', 'm2', 'm3'];
    while (got.length < 5) {
      await sub.send({ cmd: 'puback', messageId: outstanding.shift()!.messageId! });
      const p = await sub.next('publish');
      got.push(text(p));
      outstanding.push(p);
      await barrier(sub);
      expect(sub.count('publish')).toBe(0);
    }
    expect(got).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
  });

  it('[MQTT-3.3.4-9] a QoS 2 delivery holds its slot until PUBCOMP, not PUBREC (Receive Maximum 1)', async () => {
    const topic = uniqueTopic('rm1-q2');
    const sub = peer(5);
    await sub.connect({ properties: { receiveMaximum: 1 } });
    await sub.subscribe(topic, 2);
    const pub = await connectClient(broker.url);
    await pub.publishAsync(topic, 'first', { qos: 2 });
    await pub.publishAsync(topic, 'second', { qos: 2 });
    const first = await sub.next('publish');
    expect(text(first)).toBe('first');
    await sub.send({ cmd: 'pubrec', messageId: first.messageId! });
    expect((await sub.next('pubrel')).messageId).toBe(first.messageId);
    await barrier(sub);
    expect(sub.count('publish')).toBe(0);
    await sub.send({ cmd: 'pubcomp', messageId: first.messageId! });
    expect(text(await sub.next('publish'))).toBe('second');
  });

  it('[MQTT-4.4.0-2] a PUBREC with a reason code of 0x80 or more ends the delivery: no PUBREL, no resend, the slot is free', async () => {
    const topic = uniqueTopic('rm1-fail');
    const sub = peer(5);
    await sub.connect({ properties: { receiveMaximum: 1 } });
    await sub.subscribe(topic, 2);
    const pub = await connectClient(broker.url);
    await pub.publishAsync(topic, 'refused', { qos: 2 });
    await pub.publishAsync(topic, 'next', { qos: 2 });
    const first = await sub.next('publish');
    await sub.send({ cmd: 'pubrec', messageId: first.messageId!, reasonCode: 0x80 });
    const second = await sub.next('publish');
    expect(text(second)).toBe('next');
    await barrier(sub);
    expect(sub.count('pubrel')).toBe(0);
  });

  it('(4.9) the window is capped by config maxInflight: a 3.1.1 subscriber (no Receive Maximum) gets exactly 3 unacknowledged QoS 1 messages', async () => {
    const topic = uniqueTopic('inflight-311');
    const sub = peer(4);
    await sub.connect();
    await sub.subscribe(topic, 1);
    const pub = peer(4);
    await pub.connect();
    for (let i = 1; i <= 6; i++) {
      await pub.send({ cmd: 'publish', topic, payload: Buffer.from(`m${i}`), qos: 1, messageId: i, retain: false, dup: false });
    }
    await pub.send({ cmd: 'publish', topic, payload: Buffer.from('qos0-marker'), qos: 0, retain: false, dup: false });
    await waitFor(() => sub.received.some((p) => p.cmd === 'publish' && text(p) === 'qos0-marker'), 3000, 'the QoS 0 marker');
    await barrier(sub);
    const window = sub.take('publish').filter((p) => p.qos === 1);
    expect(window.map(text)).toEqual(['m1', 'm2', 'm3']);
    await sub.send({ cmd: 'puback', messageId: window[1]!.messageId! });
    await barrier(sub);
    expect(sub.take('publish').map(text)).toEqual(['m4']);
  });

  it('(4.9) a 5.0 Receive Maximum above maxInflight is capped by maxInflight (3)', async () => {
    const topic = uniqueTopic('inflight-5');
    const sub = peer(5);
    await sub.connect({ properties: { receiveMaximum: 100 } });
    await sub.subscribe(topic, 1);
    const pub = await connectClient(broker.url);
    for (let i = 1; i <= 6; i++) await pub.publishAsync(topic, `m${i}`, { qos: 1 });
    await pub.publishAsync(topic, 'qos0-marker', { qos: 0 });
    await waitFor(() => sub.received.some((p) => p.cmd === 'publish' && text(p) === 'qos0-marker'), 3000, 'the QoS 0 marker');
    await barrier(sub);
    expect(sub.take('publish').filter((p) => p.qos === 1).map(text)).toEqual(['m1', 'm2', 'm3']);
  });

  it('[MQTT-3.3.4-9] a session resumed with a smaller Receive Maximum gets its unacknowledged messages resent only up to that maximum, the rest as slots free', async () => {
    const topic = uniqueTopic('rm-resume');
    const clientId = `rm-resume-${seq}`;
    const first = peer(5);
    await first.connect({ clientId, clean: false, properties: { receiveMaximum: 3, sessionExpiryInterval: 60 } });
    await first.subscribe(topic, 1);
    const pub = await connectClient(broker.url);
    for (let i = 1; i <= 3; i++) await pub.publishAsync(topic, `m${i}`, { qos: 1 });
    await waitFor(() => first.count('publish') === 3, 3000, 'three unacknowledged deliveries');
    const original = first.take('publish');
    first.destroy();
    await waitFor(() => broker.broker.context.sessions.get(clientId)?.connected === false, 3000, 'the session to go offline');

    const second = peer(5);
    const connack = await second.connect({ clientId, clean: false, properties: { receiveMaximum: 1, sessionExpiryInterval: 0 } });
    expect(connack.sessionPresent).toBe(true);
    const resent: string[] = [];
    for (let i = 0; i < 3; i++) {
      const p = await second.next('publish');
      await barrier(second);
      // Never more than one outstanding.
      expect(second.count('publish')).toBe(0);
      expect(p).toMatchObject({ dup: true, messageId: original[i]!.messageId });
      resent.push(text(p));
      await second.send({ cmd: 'puback', messageId: p.messageId! });
    }
    expect(resent).toEqual(['m1', 'm2', 'm3']);
  });

  it('[MQTT-3.3.4-10] with the window full the broker still answers PINGREQ, SUBSCRIBE and UNSUBSCRIBE at once', async () => {
    const topic = uniqueTopic('full');
    const sub = peer(5);
    await sub.connect({ properties: { receiveMaximum: 1 } });
    await sub.subscribe(topic, 1);
    const pub = await connectClient(broker.url);
    await pub.publishAsync(topic, 'a', { qos: 1 });
    await pub.publishAsync(topic, 'b', { qos: 1 });
    await sub.next('publish');
    await sub.send({ cmd: 'pingreq' });
    await sub.next('pingresp', 1000);
    expect(await sub.subscribe(`${topic}/other`, 1)).toEqual([1]);
    await sub.send({ cmd: 'unsubscribe', messageId: 77, unsubscriptions: [`${topic}/other`] });
    expect((await sub.next('unsuback', 1000)).messageId).toBe(77);
    expect(sub.count('publish')).toBe(0);
  });
});

describe("the server's Receive Maximum, inbound", () => {
  it('[MQTT-3.3.4-7] CONNACK announces Receive Maximum 3; a fourth QoS 2 PUBLISH before any PUBREL gets DISCONNECT 0x93 and is not delivered', async () => {
    const topic = uniqueTopic('rm-in');
    const sub = peer(5);
    await sub.connect();
    await sub.subscribe(topic, 2);
    const pub = peer(5);
    const connack = await pub.connect();
    expect(connack.properties?.receiveMaximum).toBe(3);
    for (let id = 1; id <= 3; id++) {
      await pub.send({ cmd: 'publish', topic, payload: Buffer.from(`m${id}`), qos: 2, messageId: id, retain: false, dup: false });
      expect((await pub.next('pubrec')).messageId).toBe(id);
    }
    await pub.send({ cmd: 'publish', topic, payload: Buffer.from('m4'), qos: 2, messageId: 4, retain: false, dup: false });
    expect(await pub.next('disconnect')).toMatchObject({ reasonCode: 0x93 });
    expect(await pub.waitClosed()).toBe(true);
    expect(pub.count('pubrec')).toBe(0);
    await waitFor(() => sub.count('publish') >= 3, 3000, 'the three accepted messages');
    await barrier(sub);
    expect(sub.take('publish').map(text)).toEqual(['m1', 'm2', 'm3']);
  });

  it('[MQTT-3.3.4-7] PUBREL frees a slot: three pending, one released, the next QoS 2 PUBLISH is accepted', async () => {
    const topic = uniqueTopic('rm-in-release');
    const pub = peer(5);
    await pub.connect();
    for (let id = 1; id <= 3; id++) {
      await pub.send({ cmd: 'publish', topic, payload: Buffer.from('x'), qos: 2, messageId: id, retain: false, dup: false });
      await pub.next('pubrec');
    }
    await pub.send({ cmd: 'pubrel', messageId: 2 });
    expect((await pub.next('pubcomp')).messageId).toBe(2);
    await pub.send({ cmd: 'publish', topic, payload: Buffer.from('x'), qos: 2, messageId: 4, retain: false, dup: false });
    expect((await pub.next('pubrec')).messageId).toBe(4);
    // A retransmission of a pending one is not a new publication either.
    await pub.send({ cmd: 'publish', topic, payload: Buffer.from('x'), qos: 2, messageId: 1, retain: false, dup: true });
    expect((await pub.next('pubrec')).messageId).toBe(1);
    await barrier(pub);
    expect(pub.count('disconnect')).toBe(0);
    expect(pub.closed).toBe(false);
  });

  it('(4.9) QoS 1 publications are acknowledged at once and never count against Receive Maximum', async () => {
    const topic = uniqueTopic('rm-in-q1');
    const pub = peer(5);
    await pub.connect();
    const burst = [];
    for (let id = 1; id <= 20; id++) burst.push(encode({ cmd: 'publish', topic, payload: Buffer.from('x'), qos: 1, messageId: id, retain: false, dup: false }, 5));
    await pub.write(Buffer.concat(burst));
    await waitFor(() => pub.count('puback') === 20, 3000, '20 PUBACKs');
    expect(pub.closed).toBe(false);
  });

  it('(4.9) Receive Maximum is a 5.0 feature: a 3.1.1 client may leave more QoS 2 publications pending', async () => {
    const pub = peer(4);
    await pub.connect();
    for (let id = 1; id <= 5; id++) {
      await pub.send({ cmd: 'publish', topic: uniqueTopic('rm-311'), payload: Buffer.from('x'), qos: 2, messageId: id, retain: false, dup: false });
      expect((await pub.next('pubrec')).messageId).toBe(id);
    }
    await barrier(pub);
    expect(pub.closed).toBe(false);
  });
});

describe('slow consumers', () => {
  it('a subscriber that never reads is cut off from QoS 0 traffic once maxWriteBufferBytes is buffered, while another subscriber gets everything', async () => {
    const topic = uniqueTopic('flood');
    const ctx = broker.broker.context;
    const slowId = `slow-${seq}`;
    const slow = peer(4);
    await slow.connect({ clientId: slowId });
    await slow.subscribe(topic, 1);
    slow.pause();

    const fast = await connectClient(broker.url, { protocolVersion: 4 });
    let fastCount = 0;
    let fastMarker = false;
    fast.on('message', (_t, payload) => {
      if (payload.length === 1024) fastCount++;
      else if (payload.toString() === 'marker') fastMarker = true;
    });
    await fast.subscribeAsync(topic, { qos: 1 });

    const droppedBefore = ctx.metrics.publishDropped;
    const slowSession = ctx.sessions.get(slowId)!;
    const slowLink = slowSession.link!;
    let maxBuffered = 0;

    const pub = peer(4);
    await pub.connect();
    const payload = Buffer.alloc(1024, 0x61);
    const one = encode({ cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false }, 4);
    const TOTAL = 20000;
    const BATCH = 200;
    for (let sent = 0; sent < TOTAL; sent += BATCH) {
      const chunk = Buffer.concat(Array.from({ length: BATCH }, () => one));
      if (!pub.socket.write(chunk)) await new Promise((r) => pub.socket.once('drain', r));
      await new Promise((r) => setImmediate(r));
      // Keep the fast subscriber's backlog well inside the kernel's socket buffers, so that only
      // the subscriber that stopped reading can reach maxWriteBufferBytes.
      await waitFor(() => sent + BATCH - fastCount <= 2000, 20000, 'the fast subscriber to keep up');
      maxBuffered = Math.max(maxBuffered, slowLink.bufferedBytes());
    }
    await pub.send({ cmd: 'publish', topic, payload: Buffer.from('marker'), qos: 1, messageId: 1, retain: false, dup: false });
    await pub.next('puback', 10000);
    await waitFor(() => fastMarker, 20000, 'the fast subscriber to get the marker');
    maxBuffered = Math.max(maxBuffered, slowLink.bufferedBytes());

    // The fast subscriber was served in full.
    expect(fastCount).toBe(TOTAL);
    // The slow one: QoS 0 messages dropped and counted, its buffer bounded by the limit plus the
    // one message that crossed it (and the QoS 1 marker, which is never dropped).
    expect(slowSession.droppedCount).toBeGreaterThan(0);
    expect(ctx.metrics.publishDropped - droppedBefore).toBe(slowSession.droppedCount);
    expect(maxBuffered).toBeLessThanOrEqual(MAX_WRITE_BUFFER + 2 * one.length + 64);

    // It is still connected and, once it reads again, catches up to the marker.
    expect(slow.closed).toBe(false);
    slow.resume();
    await waitFor(() => slow.received.some((p) => p.cmd === 'publish' && text(p) === 'marker'), 20000, 'the slow subscriber to reach the marker');
    const slowGot = slow.received.filter((p) => p.cmd === 'publish' && p.payload.length === 1024).length;
    expect(slowGot + slowSession.droppedCount).toBe(TOTAL);

    // And the broker still serves new clients.
    const probe = await connectClient(broker.url);
    const probeGot = collect(probe);
    await probe.subscribeAsync(`${topic}/probe`, { qos: 1 });
    await probe.publishAsync(`${topic}/probe`, 'alive', { qos: 1 });
    await waitFor(() => probeGot.length === 1, 3000, 'the probe message');
  }, 60000);
});

describe('many connections', () => {
  it('(4.2) 2000 concurrent connections (3.1.1 and 5.0) are all accepted and all receive one fan-out publication', async () => {
    const limit = Number(spawnSync('sh', ['-c', 'ulimit -n']).stdout.toString().trim());
    // Each connection costs two descriptors in this process (client and server side).
    const count = Number.isFinite(limit) && limit >= 5000 ? 2000 : 900;
    const topic = uniqueTopic('fanout');
    const ctx = broker.broker.context;
    // Earlier tests' connections are closed by afterEach; let the broker notice.
    await waitFor(() => ctx.sessions.connectedCount === 0, 5000, 'earlier connections to close');
    const baseline = 0;

    interface Conn {
      socket: Socket;
      connack?: number;
      suback?: number[];
      publishes: string[];
    }
    const conns: Conn[] = [];
    const open = (i: number): Promise<void> => {
      const version: Version = i % 2 === 0 ? 4 : 5;
      const conn: Conn = { socket: connect(broker.port, '127.0.0.1'), publishes: [] };
      conns.push(conn);
      const parser = mqttPacket.parser({ protocolVersion: version });
      conn.socket.on('error', () => {});
      conn.socket.on('data', (d: Buffer) => parser.parse(d));
      return new Promise<void>((resolve, reject) => {
        parser.on('packet', (p: mqttPacket.Packet) => {
          if (p.cmd === 'connack') conn.connack = version === 5 ? p.reasonCode : p.returnCode;
          else if (p.cmd === 'suback') {
            conn.suback = p.granted as number[];
            resolve();
          } else if (p.cmd === 'publish') conn.publishes.push(p.payload.toString());
        });
        conn.socket.once('close', () => reject(new Error(`connection ${i} closed early`)));
        conn.socket.once('connect', () => {
          conn.socket.write(
            Buffer.concat([
              encode({ cmd: 'connect', clientId: `many-${seq}-${i}`, protocolId: 'MQTT', protocolVersion: version, clean: true, keepalive: 60 }, version),
              encode({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic, qos: 0 }] }, version),
            ]),
          );
        });
      });
    };

    try {
      const BATCH = 200;
      for (let start = 0; start < count; start += BATCH) {
        await Promise.all(Array.from({ length: Math.min(BATCH, count - start) }, (_, k) => open(start + k)));
      }
      expect(conns.filter((c) => c.connack === 0)).toHaveLength(count);
      expect(conns.filter((c) => c.suback?.[0] === 0)).toHaveLength(count);
      expect(ctx.sessions.connectedCount - baseline).toBe(count);

      const pub = await connectClient(broker.url);
      await pub.publishAsync(topic, 'to everyone', { qos: 1 });
      await waitFor(() => conns.every((c) => c.publishes.length === 1), 20000, 'every connection to get the message');
      expect(conns.every((c) => c.publishes[0] === 'to everyone')).toBe(true);
      await pub.endAsync();
    } finally {
      for (const c of conns) {
        c.socket.removeAllListeners('close');
        c.socket.end(Buffer.from([0xe0, 0x00])); // DISCONNECT
      }
    }
    await waitFor(() => ctx.sessions.connectedCount === baseline, 20000, 'all connections to close');
    expect(ctx.metrics.socketsOpen).toBeGreaterThanOrEqual(0);
  }, 60000);
});
