import { connect } from 'node:net';
import type { IConnackPacket, IDisconnectPacket } from 'mqtt-packet';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerConfig } from '../../src/config.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { waitFor } from '../helpers/clients.js';
import { closeLifecycleClients, connectBytes, connectV, rawClient } from '../helpers/lifecycle.js';

/**
 * CONNECT / CONNACK conformance (MQTT 5.0 section 3.1 and 3.2, and the 3.1.1 / 3.1 equivalents):
 * protocol name and level, Client Identifier rules, the CONNACK properties that announce the
 * server's limits, and the refusals (authentication, unsupported features).
 */

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker();
});
afterAll(() => broker.close());
afterEach(() => closeLifecycleClients());

/** A broker with other settings for one describe block. */
function brokerWith(config: Partial<BrokerConfig>): { get: () => TestBroker } {
  let b: TestBroker;
  beforeAll(async () => {
    b = await startTestBroker(config);
  });
  afterAll(() => b.close());
  return { get: () => b };
}

const v5Connack = (p: unknown): IConnackPacket => p as IConnackPacket;

describe('protocol name and protocol level', () => {
  it('[MQTT-3.1.2-1] MQTT 3.1 ("MQIsdp", level 3) is accepted: a mosquitto-style raw CONNECT gets CONNACK 0x00', async () => {
    const c = rawClient(broker.port, 3);
    // The bytes mosquitto's test suite sends for a 3.1 client: MQIsdp, level 3, Clean Session, keep alive 60.
    await c.write(connectBytes({ protocolName: 'MQIsdp', level: 3, cleanStart: true, clientId: 'mqisdp-client' }));
    const connack = await c.next('connack');
    expect(connack).toMatchObject({ cmd: 'connack', returnCode: 0, sessionPresent: false });
    // And the connection works: subscribe and receive its own publication.
    await c.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'v31/echo', qos: 0 }] }, 3);
    expect(await c.next('suback')).toMatchObject({ messageId: 1, granted: [0] });
    await c.send({ cmd: 'publish', topic: 'v31/echo', payload: Buffer.from('hi'), qos: 0, retain: false, dup: false }, 3);
    const publish = await c.next('publish');
    expect(publish).toMatchObject({ topic: 'v31/echo' });
    expect((publish as { payload: Buffer }).payload.toString()).toBe('hi');
  });

  it('[MQTT-3.1.2-1] MQTT 3.1.1 ("MQTT", level 4) is accepted with return code 0x00', async () => {
    const c = rawClient(broker.port, 4);
    expect(await c.connect({ protocolVersion: 4 })).toMatchObject({ cmd: 'connack', returnCode: 0, sessionPresent: false });
  });

  it('[MQTT-3.1.2-1] MQTT 5.0 ("MQTT", level 5) is accepted with reason code 0x00', async () => {
    const c = rawClient(broker.port, 5);
    expect(await c.connect({ protocolVersion: 5 })).toMatchObject({ cmd: 'connack', reasonCode: 0, sessionPresent: false });
  });

  const refusals: Array<{ name: string; level: number; clientVersion: 3 | 4 | 5; expected: Record<string, unknown> }> = [
    { name: 'MQTT', level: 3, clientVersion: 4, expected: { returnCode: 0x01 } },
    { name: 'MQIsdp', level: 4, clientVersion: 4, expected: { returnCode: 0x01 } },
    { name: 'MQIsdp', level: 5, clientVersion: 5, expected: { reasonCode: 0x84 } },
    { name: 'MQTT', level: 6, clientVersion: 4, expected: { returnCode: 0x01 } },
  ];
  for (const { name, level, clientVersion, expected } of refusals) {
    const how = 'reasonCode' in expected ? 'CONNACK 0x84 (5.0)' : 'CONNACK return code 0x01 (3.1.1 format)';
    it(`[MQTT-3.1.2-2] protocol name "${name}" with level ${level} is refused with ${how}, then closed`, async () => {
      const c = rawClient(broker.port, clientVersion);
      await c.write(connectBytes({ protocolName: name, level, cleanStart: true, clientId: `bad-${name}-${level}`, ...(level === 5 ? { properties: Buffer.alloc(0) } : {}) }));
      const connack = await c.next('connack');
      expect(connack).toMatchObject({ sessionPresent: false, ...expected });
      expect(await c.waitClosed()).toBe(true);
    });
  }

  it('[MQTT-3.1.2-1] a protocol name that is not MQTT closes the connection without accepting it', async () => {
    const c = rawClient(broker.port, 4);
    await c.write(connectBytes({ protocolName: 'MQTX', level: 4, cleanStart: true, clientId: 'not-mqtt' }));
    expect(await c.waitClosed()).toBe(true);
    // The server MAY answer 0x84 first; it must never accept.
    const accepted = c.packets.filter((p) => p.cmd === 'connack' && (p as IConnackPacket).returnCode === 0);
    expect(accepted).toEqual([]);
    expect(c.packets.filter((p) => p.cmd !== 'connack')).toEqual([]);
  });

  it('[MQTT-3.1.0-2] a second CONNECT from a 3.1.1 client closes the connection without a response', async () => {
    const c = rawClient(broker.port, 4);
    expect(await c.connect({ protocolVersion: 4 })).toMatchObject({ returnCode: 0 });
    await c.send({ cmd: 'connect', clientId: 'again-311', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 0 }, 4);
    expect(await c.waitClosed()).toBe(true);
    expect(c.packets).toEqual([]);
  });

  it('[MQTT-3.1.0-2] a second CONNECT from a 5.0 client is a Protocol Error: DISCONNECT 0x82, then closed', async () => {
    const c = rawClient(broker.port, 5);
    expect(await c.connect({ protocolVersion: 5 })).toMatchObject({ reasonCode: 0 });
    await c.send({ cmd: 'connect', clientId: 'again-5', protocolId: 'MQTT', protocolVersion: 5, clean: true, keepalive: 0 }, 5);
    expect(await c.next('disconnect')).toMatchObject({ reasonCode: 0x82 });
    expect(await c.waitClosed()).toBe(true);
    // [MQTT-3.2.0-2] never a second CONNACK.
    expect(c.packets.filter((p) => p.cmd === 'connack')).toEqual([]);
  });
});

describe('connect timeout (connectTimeoutMs 300)', () => {
  const quick = brokerWith({ connectTimeoutMs: 300 });

  it('(3.1.4) a network connection that sends no CONNECT is closed without a packet', async () => {
    const c = rawClient(quick.get().port, 4);
    await c.write(Buffer.alloc(0));
    expect(await c.waitClosed(5000)).toBe(true);
    expect(c.packets).toEqual([]);
  });

  it('(3.1.4) a client that sends CONNECT in time is not affected by the timeout', async () => {
    const c = rawClient(quick.get().port, 5);
    await c.connect({ protocolVersion: 5, keepalive: 0 });
    await new Promise((r) => setTimeout(r, 600));
    expect(c.closed).toBe(false);
  });
});

describe('Client Identifier', () => {
  it('[MQTT-3.1.3-5] a ClientID of 23 characters from 0-9a-zA-Z is allowed', async () => {
    const c = rawClient(broker.port, 5);
    const connack = v5Connack(await c.connect({ protocolVersion: 5, clientId: 'Az09Az09Az09Az09Az09Az0' }));
    expect(connack.reasonCode).toBe(0);
    expect(connack.properties?.assignedClientIdentifier).toBeUndefined();
  });

  for (const cleanStart of [true, false]) {
    it(`[MQTT-3.1.3-6] [MQTT-3.1.3-7] [MQTT-3.2.2-16] 5.0 empty ClientID (Clean Start ${cleanStart ? 1 : 0}) is accepted with a unique Assigned Client Identifier`, async () => {
      const a = rawClient(broker.port, 5);
      const b = rawClient(broker.port, 5);
      const bytes = connectBytes({ protocolName: 'MQTT', level: 5, cleanStart, clientId: '', properties: Buffer.alloc(0) });
      await a.write(bytes);
      await b.write(bytes);
      const ackA = v5Connack(await a.next('connack'));
      const ackB = v5Connack(await b.next('connack'));
      for (const ack of [ackA, ackB]) {
        expect(ack).toMatchObject({ reasonCode: 0, sessionPresent: false });
        expect(typeof ack.properties?.assignedClientIdentifier).toBe('string');
        expect(ack.properties!.assignedClientIdentifier!.length).toBeGreaterThan(0);
      }
      expect(ackA.properties!.assignedClientIdentifier).not.toBe(ackB.properties!.assignedClientIdentifier);
      // The connection is processed as if it had sent that id: a new connection using the id takes it over.
      const assigned = ackA.properties!.assignedClientIdentifier!;
      const c = rawClient(broker.port, 5);
      expect(await c.connect({ protocolVersion: 5, clientId: assigned })).toMatchObject({ reasonCode: 0 });
      expect(await a.next('disconnect')).toMatchObject({ reasonCode: 0x8e });
      expect(await a.waitClosed()).toBe(true);
      expect(b.closed).toBe(false);
    });
  }

  it('[MQTT-3.1.3-6] 3.1.1 empty ClientId with Clean Session 1 is accepted and works', async () => {
    const c = rawClient(broker.port, 4);
    const connack = await c.connect({ protocolVersion: 4, clientId: '', clean: true });
    expect(connack).toMatchObject({ cmd: 'connack', returnCode: 0, sessionPresent: false });
    await c.send({ cmd: 'pingreq' }, 4);
    expect(await c.next('pingresp')).toMatchObject({ cmd: 'pingresp' });
  });

  it('[MQTT-3.1.3-8] 3.1.1 empty ClientId with Clean Session 0 is rejected with return code 0x02 (Identifier rejected), then closed', async () => {
    const c = rawClient(broker.port, 4);
    await c.write(connectBytes({ protocolName: 'MQTT', level: 4, cleanStart: false, clientId: '' }));
    expect(await c.next('connack')).toMatchObject({ returnCode: 0x02, sessionPresent: false });
    expect(await c.waitClosed()).toBe(true);
  });

  it('[MQTT-3.1.3-8] 3.1 requires a ClientId: an empty one is rejected with return code 0x02', async () => {
    const c = rawClient(broker.port, 3);
    await c.write(connectBytes({ protocolName: 'MQIsdp', level: 3, cleanStart: true, clientId: '' }));
    expect(await c.next('connack')).toMatchObject({ returnCode: 0x02, sessionPresent: false });
    expect(await c.waitClosed()).toBe(true);
  });
});

describe('CONNACK properties (5.0)', () => {
  const custom = brokerWith({ receiveMaximum: 17, maxPacketSize: 4096, topicAliasMaximum: 9 });

  it('(3.2.2.3) CONNACK announces Receive Maximum, Maximum Packet Size, Topic Alias Maximum, Retain Available and the Wildcard / Subscription Identifier / Shared Subscription Available flags', async () => {
    const { connack } = await connectV(custom.get().url, { clientId: 'props-default' });
    expect(connack.reasonCode).toBe(0);
    expect(connack.properties).toMatchObject({
      receiveMaximum: 17,
      maximumPacketSize: 4096,
      topicAliasMaximum: 9,
      retainAvailable: true,
      wildcardSubscriptionAvailable: true,
      subscriptionIdentifiersAvailable: true,
      sharedSubscriptionAvailable: true,
    });
    // Nothing capped: no Maximum QoS, Server Keep Alive, Session Expiry Interval or Assigned Client Identifier.
    expect(connack.properties?.maximumQoS).toBeUndefined();
    expect(connack.properties?.serverKeepAlive).toBeUndefined();
    expect(connack.properties?.sessionExpiryInterval).toBeUndefined();
    expect(connack.properties?.assignedClientIdentifier).toBeUndefined();
  });

  it('(3.2.2.3) a 3.1.1 CONNACK carries only the flags and the return code', async () => {
    // The raw CONNACK bytes: 0x20, remaining length 2, flags, return code; no properties.
    const bytes = await new Promise<Buffer>((resolve, reject) => {
      const socket = connect(custom.get().port, '127.0.0.1', () => {
        socket.write(connectBytes({ protocolName: 'MQTT', level: 4, cleanStart: true, clientId: 'raw-bytes-311' }));
      });
      socket.once('data', (d) => {
        resolve(d);
        socket.destroy();
      });
      socket.once('error', reject);
    });
    expect([...bytes]).toEqual([0x20, 0x02, 0x00, 0x00]);
  });

  describe('with maximumQos 1', () => {
    const capped = brokerWith({ maximumQos: 1 });

    it('[MQTT-3.2.2-9] CONNACK carries Maximum QoS 1', async () => {
      const { connack } = await connectV(capped.get().url, { clientId: 'maxqos-1' });
      expect(connack.properties?.maximumQoS).toBe(1);
    });

    it('[MQTT-3.2.2-10] a SUBSCRIBE requesting QoS 2 is still accepted (granted QoS 1)', async () => {
      const { client } = await connectV(capped.get().url, { clientId: 'maxqos-sub' });
      const granted = await client.subscribeAsync('maxqos/t', { qos: 2 });
      expect(granted.map((g) => g.qos)).toEqual([1]);
    });

    it('[MQTT-3.2.2-12] a Will QoS above Maximum QoS is refused with CONNACK 0x9B, then closed', async () => {
      const c = rawClient(capped.get().port, 5);
      await c.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, keepalive: 60, clientId: 'will-qos2', will: { topic: 'will/qos2', payload: Buffer.from('x'), qos: 2, retain: false } }, 5);
      expect(await c.next('connack')).toMatchObject({ reasonCode: 0x9b, sessionPresent: false });
      expect(await c.waitClosed()).toBe(true);
    });

    it('[MQTT-3.2.2-12] 3.1.1: a Will QoS above the maximum is refused (return code 0x03 Server unavailable), then closed', async () => {
      const c = rawClient(capped.get().port, 4);
      await c.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 60, clientId: 'will-qos2-311', will: { topic: 'will/qos2', payload: Buffer.from('x'), qos: 2, retain: false } }, 4);
      expect(await c.next('connack')).toMatchObject({ returnCode: 0x03, sessionPresent: false });
      expect(await c.waitClosed()).toBe(true);
    });

    it('[MQTT-3.2.2-12] a Will QoS within Maximum QoS is accepted', async () => {
      const c = rawClient(capped.get().port, 5);
      await c.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, keepalive: 60, clientId: 'will-qos1', will: { topic: 'will/qos1', payload: Buffer.from('x'), qos: 1, retain: false } }, 5);
      expect(await c.next('connack')).toMatchObject({ reasonCode: 0 });
    });
  });

  describe('with retainAvailable false', () => {
    const noRetain = brokerWith({ retainAvailable: false });

    it('(3.2.2.3.5) CONNACK carries Retain Available 0', async () => {
      const { connack } = await connectV(noRetain.get().url, { clientId: 'noretain-props' });
      expect(connack.properties?.retainAvailable).toBe(false);
    });

    it('[MQTT-3.2.2-13] a retained Will is refused with CONNACK 0x9A, then closed', async () => {
      const c = rawClient(noRetain.get().port, 5);
      await c.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, keepalive: 60, clientId: 'will-retain', will: { topic: 'will/retain', payload: Buffer.from('x'), qos: 0, retain: true } }, 5);
      expect(await c.next('connack')).toMatchObject({ reasonCode: 0x9a, sessionPresent: false });
      expect(await c.waitClosed()).toBe(true);
    });

    it('[MQTT-3.2.2-13] a non-retained Will is accepted', async () => {
      const c = rawClient(noRetain.get().port, 5);
      await c.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, keepalive: 60, clientId: 'will-noretain', will: { topic: 'will/plain', payload: Buffer.from('x'), qos: 0, retain: false } }, 5);
      expect(await c.next('connack')).toMatchObject({ reasonCode: 0 });
    });
  });
});

describe('refused connections', () => {
  describe('with allowAnonymous false', () => {
    const closed = brokerWith({ allowAnonymous: false });

    const cases: Array<{ version: 4 | 5; username?: string; expected: Record<string, number>; label: string }> = [
      { version: 5, expected: { reasonCode: 0x87 }, label: '5.0 without a user name: CONNACK 0x87 (Not authorized)' },
      { version: 5, username: 'alice', expected: { reasonCode: 0x86 }, label: '5.0 with a user name: CONNACK 0x86 (Bad User Name or Password)' },
      { version: 4, expected: { returnCode: 0x05 }, label: '3.1.1 without a user name: return code 0x05 (Not authorized)' },
      { version: 4, username: 'alice', expected: { returnCode: 0x04 }, label: '3.1.1 with a user name: return code 0x04 (Bad user name or password)' },
    ];
    for (const { version, username, expected, label } of cases) {
      it(`[MQTT-3.1.4-2] [MQTT-3.2.2-7] anonymous access off, ${label}, then closed`, async () => {
        const c = rawClient(closed.get().port, version);
        const connack = await c.connect({ protocolVersion: version, ...(username ? { username, password: Buffer.from('secret') } : {}) });
        // [MQTT-3.2.2-6] a refusal has Session Present 0.
        expect(connack).toMatchObject({ sessionPresent: false, ...expected });
        expect(await c.waitClosed()).toBe(true);
        expect(c.packets).toEqual([]);
      });
    }

    it('[MQTT-3.1.4-6] nothing sent after a refused CONNECT is processed', async () => {
      const c = rawClient(closed.get().port, 5);
      await c.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, keepalive: 60, clientId: 'refused-then-sub' }, 5);
      await c.send({ cmd: 'subscribe', messageId: 7, subscriptions: [{ topic: 'x/#', qos: 1 }] }, 5);
      await c.send({ cmd: 'pingreq' }, 5);
      expect(await c.next('connack')).toMatchObject({ reasonCode: 0x87 });
      expect(await c.waitClosed()).toBe(true);
      expect(c.packets).toEqual([]);
      expect(closed.get().broker.context.sessions.get('refused-then-sub')).toBeUndefined();
    });
  });

  it('[MQTT-4.12.0-1] an Authentication Method the server does not support is refused with CONNACK 0x8C, then closed', async () => {
    const c = rawClient(broker.port, 5);
    await c.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, keepalive: 60, clientId: 'auth-method', properties: { authenticationMethod: 'SCRAM-SHA-1', authenticationData: Buffer.from('client-first') } }, 5);
    expect(await c.next('connack')).toMatchObject({ reasonCode: 0x8c, sessionPresent: false });
    expect(await c.waitClosed()).toBe(true);
  });

  it('(3.1.2.11.3) a Receive Maximum of 0 is a Protocol Error: CONNACK 0x82, then closed', async () => {
    const c = rawClient(broker.port, 5);
    await c.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, keepalive: 60, clientId: 'recvmax-0', properties: { receiveMaximum: 0 } }, 5);
    expect(await c.next('connack')).toMatchObject({ reasonCode: 0x82, sessionPresent: false });
    expect(await c.waitClosed()).toBe(true);
  });

  it('(3.1.2.11.4) a Maximum Packet Size of 0 is a Protocol Error: CONNACK 0x82, then closed', async () => {
    const c = rawClient(broker.port, 5);
    // mqtt-packet will not encode 0, so the property is written by hand: 0x27 + four zero bytes.
    await c.write(connectBytes({ protocolName: 'MQTT', level: 5, cleanStart: true, clientId: 'maxpkt-0', properties: Buffer.from([0x27, 0, 0, 0, 0]) }));
    expect(await c.next('connack')).toMatchObject({ reasonCode: 0x82, sessionPresent: false });
    expect(await c.waitClosed()).toBe(true);
  });

  it('(3.1.3.3) a Will Topic containing wildcards is refused with CONNACK 0x90 (Topic Name invalid), then closed', async () => {
    const c = rawClient(broker.port, 5);
    await c.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, keepalive: 60, clientId: 'will-wildcard', will: { topic: 'will/#', payload: Buffer.from('x'), qos: 0, retain: false } }, 5);
    expect(await c.next('connack')).toMatchObject({ reasonCode: 0x90, sessionPresent: false });
    expect(await c.waitClosed()).toBe(true);
  });

  it('[MQTT-3.14.0-1] a refused 5.0 client never gets a DISCONNECT', async () => {
    const c = rawClient(broker.port, 5);
    await c.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, keepalive: 60, clientId: 'no-disconnect', properties: { receiveMaximum: 0 } }, 5);
    await c.next('connack');
    await waitFor(() => c.closed, 3000, 'close');
    expect(c.packets.filter((p) => p.cmd === 'disconnect') as IDisconnectPacket[]).toEqual([]);
  });
});
