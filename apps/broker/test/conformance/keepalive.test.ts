import type { IConnackPacket } from 'mqtt-packet';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { sleep } from '../helpers/clients.js';
import { closeLifecycleClients, rawClient } from '../helpers/lifecycle.js';
import type { RawClient } from '../helpers/raw-client.js';

/**
 * Keep Alive (3.1.2.10) and Server Keep Alive (3.2.2.3.14). Raw clients are used because MQTT.js
 * pings on its own: these clients stay silent, or ping on a schedule the test controls.
 */

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker();
});
afterAll(() => broker.close());
afterEach(() => closeLifecycleClients());

/** Connects, then measures how long the broker lets the client stay silent. */
async function silentFor(c: RawClient, version: 4 | 5, keepalive: number, clientId: string): Promise<{ connack: IConnackPacket; closedAfterMs: number }> {
  const connack = (await c.connect({ protocolVersion: version, keepalive, clientId })) as IConnackPacket;
  const start = Date.now();
  expect(await c.waitClosed(8000)).toBe(true);
  return { connack, closedAfterMs: Date.now() - start };
}

describe('Keep Alive', () => {
  it('[MQTT-3.1.2-22] a silent 5.0 client with Keep Alive 1 gets DISCONNECT 0x8D (Keep alive timeout) and is closed after 1.5 s, not before 1 s', async () => {
    const c = rawClient(broker.port, 5);
    const { connack, closedAfterMs } = await silentFor(c, 5, 1, 'ka-silent-5');
    expect(connack.reasonCode).toBe(0);
    expect(closedAfterMs).toBeGreaterThanOrEqual(1000);
    expect(c.packets.map((p) => p.cmd)).toEqual(['disconnect']);
    expect(c.packets[0]).toMatchObject({ cmd: 'disconnect', reasonCode: 0x8d });
  });

  it('[MQTT-3.1.2-22] a silent 3.1.1 client with Keep Alive 1 is closed after 1.5 s, not before 1 s, without a packet', async () => {
    const c = rawClient(broker.port, 4);
    const { connack, closedAfterMs } = await silentFor(c, 4, 1, 'ka-silent-311');
    expect(connack.returnCode).toBe(0);
    expect(closedAfterMs).toBeGreaterThanOrEqual(1000);
    expect(c.packets).toEqual([]);
  });

  for (const version of [4, 5] as const) {
    it(`[MQTT-3.1.2-22] [MQTT-3.12.4-1] a client with Keep Alive 1 that sends PINGREQ every 500 ms stays connected and gets a PINGRESP for each (${version === 5 ? '5.0' : '3.1.1'})`, async () => {
      const c = rawClient(broker.port, version);
      await c.connect({ protocolVersion: version, keepalive: 1, clientId: `ka-pinging-${version}` });
      // 2.5 s in all: well past the 1.5 s a silent client would be allowed.
      for (let i = 0; i < 5; i++) {
        await sleep(500);
        await c.send({ cmd: 'pingreq' }, version);
        expect(await c.next('pingresp')).toMatchObject({ cmd: 'pingresp' });
      }
      expect(c.closed).toBe(false);
      expect(c.packets).toEqual([]);
    });
  }

  it('[MQTT-3.1.2-22] any control packet counts as activity, not only PINGREQ', async () => {
    const c = rawClient(broker.port, 5);
    await c.connect({ protocolVersion: 5, keepalive: 1, clientId: 'ka-publishing' });
    for (let i = 0; i < 5; i++) {
      await sleep(500);
      await c.send({ cmd: 'publish', topic: 'ka/activity', payload: Buffer.from(String(i)), qos: 0, retain: false, dup: false }, 5);
    }
    await sleep(200);
    expect(c.closed).toBe(false);
    expect(c.packets).toEqual([]);
  });

  it('(3.1.2.10) Keep Alive 0 turns the mechanism off: a silent client stays connected', async () => {
    const c = rawClient(broker.port, 5);
    await c.connect({ protocolVersion: 5, keepalive: 0, clientId: 'ka-off' });
    await sleep(2000);
    expect(c.closed).toBe(false);
    expect(c.packets).toEqual([]);
  });
});

describe('Server Keep Alive (maxKeepAlive 1)', () => {
  let capped: TestBroker;
  beforeAll(async () => {
    capped = await startTestBroker({ maxKeepAlive: 1 });
  });
  afterAll(() => capped.close());

  it('[MQTT-3.2.2-21] a 5.0 client asking for Keep Alive 60 gets Server Keep Alive 1 and is held to it (DISCONNECT 0x8D after 1.5 s)', async () => {
    const c = rawClient(capped.port, 5);
    const { connack, closedAfterMs } = await silentFor(c, 5, 60, 'ska-60');
    expect(connack.reasonCode).toBe(0);
    expect(connack.properties?.serverKeepAlive).toBe(1);
    expect(closedAfterMs).toBeGreaterThanOrEqual(1000);
    expect(c.packets).toMatchObject([{ cmd: 'disconnect', reasonCode: 0x8d }]);
  });

  it('[MQTT-3.2.2-21] a 5.0 client asking for Keep Alive 0 (off) also gets Server Keep Alive 1 and is held to it', async () => {
    const c = rawClient(capped.port, 5);
    const { connack } = await silentFor(c, 5, 0, 'ska-0');
    expect(connack.properties?.serverKeepAlive).toBe(1);
    expect(c.packets).toMatchObject([{ cmd: 'disconnect', reasonCode: 0x8d }]);
  });

  it('[MQTT-3.2.2-22] a 5.0 client within the cap gets no Server Keep Alive', async () => {
    const c = rawClient(capped.port, 5);
    const connack = (await c.connect({ protocolVersion: 5, keepalive: 1, clientId: 'ska-within' })) as IConnackPacket;
    expect(connack.reasonCode).toBe(0);
    expect(connack.properties?.serverKeepAlive).toBeUndefined();
  });

  it('[MQTT-3.2.2-22] a 3.1.1 client cannot be told a Server Keep Alive, so the server keeps its Keep Alive of 60', async () => {
    const legacy = rawClient(capped.port, 4);
    await legacy.connect({ protocolVersion: 4, keepalive: 60, clientId: 'ska-311' });
    // A 5.0 client on the same broker shows the cap is in force meanwhile.
    const modern = rawClient(capped.port, 5);
    await modern.connect({ protocolVersion: 5, keepalive: 60, clientId: 'ska-5-alongside' });
    expect(await modern.waitClosed(8000)).toBe(true);
    await sleep(1000);
    expect(legacy.closed).toBe(false);
    await legacy.send({ cmd: 'pingreq' }, 4);
    expect(await legacy.next('pingresp')).toMatchObject({ cmd: 'pingresp' });
  });
});
