import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { closeAllClients, collect, connectClient, waitFor } from '../helpers/clients.js';
import { RawClient } from '../helpers/raw-client.js';

let broker: TestBroker;
const raws: RawClient[] = [];
const raw = (version: 3 | 4 | 5 = 4): RawClient => {
  const client = new RawClient(broker.port, version);
  raws.push(client);
  return client;
};

beforeAll(async () => {
  broker = await startTestBroker({ maxPacketSize: 4096 });
});
afterAll(() => broker.close());
afterEach(async () => {
  for (const r of raws.splice(0)) r.destroy();
  await closeAllClients();
});

/** A bystander that must keep working while others misbehave. */
async function expectBrokerStillServes(): Promise<void> {
  const sub = await connectClient(broker.url);
  const received = collect(sub);
  await sub.subscribeAsync('health/check', { qos: 1 });
  const pub = await connectClient(broker.url, { protocolVersion: 4 });
  await pub.publishAsync('health/check', 'ok', { qos: 1 });
  await waitFor(() => received.length === 1, 3000, 'bystander message');
}

describe('malformed and out-of-order input closes only the offending connection', () => {
  it('[MQTT-3.1.0-1] a packet before CONNECT closes the connection without a response', async () => {
    const c = raw();
    await c.write([0xc0, 0x00]); // PINGREQ
    expect(await c.waitClosed()).toBe(true);
    expect(c.packets).toEqual([]);
    await expectBrokerStillServes();
  });

  it('[MQTT-3.1.0-2] a second CONNECT is a protocol error (5.0: DISCONNECT 0x82)', async () => {
    const c = raw(5);
    const connack = await c.connect({ protocolVersion: 5 });
    expect(connack).toMatchObject({ cmd: 'connack', reasonCode: 0 });
    await c.send({ cmd: 'connect', clientId: 'again', protocolId: 'MQTT', protocolVersion: 5, clean: true, keepalive: 0 }, 5);
    const disconnect = await c.next('disconnect');
    expect(disconnect).toMatchObject({ reasonCode: 0x82 });
    expect(await c.waitClosed()).toBe(true);
  });

  it('[MQTT-1.5.5-1] a remaining length of more than four bytes is malformed', async () => {
    const c = raw();
    await c.connect();
    await c.write([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(await c.waitClosed()).toBe(true);
    await expectBrokerStillServes();
  });

  it('a truncated packet followed by a close loses nothing for others', async () => {
    const c = raw();
    await c.connect();
    await c.write([0x30, 0x0a, 0x00, 0x03, 0x61]); // PUBLISH announcing 10 bytes, sending 3
    c.destroy();
    await expectBrokerStillServes();
  });

  it('a truncated CONNECT (length says more than the fields hold) is malformed', async () => {
    const c = raw();
    // CONNECT, remaining length 5: protocol name length 4 but only "MQ" follows.
    await c.write([0x10, 0x05, 0x00, 0x04, 0x4d, 0x51, 0x54]);
    expect(await c.waitClosed()).toBe(true);
    expect(c.packets.filter((p) => p.cmd === 'connack' && (p as { returnCode?: number }).returnCode === 0)).toEqual([]);
  });

  it('[MQTT-2.2.2-2] reserved fixed-header flags set on SUBSCRIBE close the connection', async () => {
    const c = raw();
    await c.connect();
    // SUBSCRIBE must have flags 0b0010; send 0b0000.
    await c.write([0x80, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x00]);
    expect(await c.waitClosed()).toBe(true);
    await expectBrokerStillServes();
  });

  it('[MQTT-3.3.1-4] a PUBLISH with both QoS bits set is malformed (5.0: DISCONNECT 0x81)', async () => {
    const c = raw(5);
    await c.connect({ protocolVersion: 5 });
    await c.write([0x36, 0x06, 0x00, 0x01, 0x61, 0x00, 0x01, 0x00]);
    const d = await c.next('disconnect');
    expect(d).toMatchObject({ reasonCode: 0x81 });
    expect(await c.waitClosed()).toBe(true);
  });

  it('[MQTT-1.5.4-1] a topic name that is not valid UTF-8 is malformed', async () => {
    const c = raw(5);
    await c.connect({ protocolVersion: 5 });
    // PUBLISH QoS 0, topic of 2 bytes 0xC3 0x28 (invalid UTF-8), no properties, payload "x".
    await c.write([0x30, 0x06, 0x00, 0x02, 0xc3, 0x28, 0x00, 0x78]);
    const d = await c.next('disconnect');
    expect(d).toMatchObject({ reasonCode: 0x81 });
    await expectBrokerStillServes();
  });

  it('[MQTT-3.3.2-2] wildcards in a topic name: DISCONNECT 0x90 Topic Name invalid', async () => {
    const c = raw(5);
    await c.connect({ protocolVersion: 5 });
    await c.send({ cmd: 'publish', topic: 'a/+/b', payload: Buffer.from('x'), qos: 0, retain: false, dup: false }, 5);
    const d = await c.next('disconnect');
    expect(d).toMatchObject({ reasonCode: 0x90 });
    expect(await c.waitClosed()).toBe(true);
  });

  it('wildcards in a topic name close a 3.1.1 connection', async () => {
    const c = raw(4);
    await c.connect();
    await c.send({ cmd: 'publish', topic: 'a/#', payload: Buffer.from('x'), qos: 1, messageId: 1, retain: false, dup: false });
    expect(await c.waitClosed()).toBe(true);
    expect(c.packets.filter((p) => p.cmd === 'puback')).toEqual([]);
  });

  it('[MQTT-3.2.2-15] an oversize packet gets DISCONNECT 0x95 before its body is read', async () => {
    const c = raw(5);
    await c.connect({ protocolVersion: 5 });
    // Announce 200 000 bytes (limit is 4096) and send only the header.
    await c.write([0x30, 0xc0, 0x9a, 0x0c]);
    const d = await c.next('disconnect');
    expect(d).toMatchObject({ reasonCode: 0x95 });
    expect(await c.waitClosed()).toBe(true);
    await expectBrokerStillServes();
  });

  it('an oversize CONNECT is refused without buffering it', async () => {
    const c = raw();
    await c.write([0x10, 0xff, 0xff, 0xff, 0x7f]);
    expect(await c.waitClosed()).toBe(true);
  });

  it('[MQTT-3.1.2-2] an unsupported protocol level gets CONNACK 0x01 and a close', async () => {
    const c = raw();
    // CONNECT "MQTT" level 9.
    await c.write([0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x09, 0x02, 0x00, 0x3c, 0x00, 0x00]);
    const connack = await c.next('connack');
    expect(connack).toMatchObject({ returnCode: 1 });
    expect(await c.waitClosed()).toBe(true);
  });

  it('[MQTT-3.1.2-3] the reserved CONNECT flag set closes the connection', async () => {
    const c = raw();
    await c.write([0x10, 0x0d, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x03, 0x00, 0x3c, 0x00, 0x01, 0x61]);
    expect(await c.waitClosed()).toBe(true);
    expect(c.packets.filter((p) => p.cmd === 'connack' && (p as { returnCode?: number }).returnCode === 0)).toEqual([]);
  });

  it('garbage bytes never crash the broker', async () => {
    for (let i = 0; i < 50; i++) {
      const c = raw();
      const bytes = Buffer.alloc(64);
      for (let j = 0; j < bytes.length; j++) bytes[j] = (i * 131 + j * 17) & 0xff;
      await c.write(bytes);
    }
    await new Promise((r) => setTimeout(r, 200));
    await expectBrokerStillServes();
  });
});
