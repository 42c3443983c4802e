import mqttPacket from 'mqtt-packet';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { waitFor } from '../helpers/clients.js';
import { closeCollectingClients, connectCollecting, payloads } from '../helpers/collecting-client.js';
import { makeSelfSignedCertificate, startAllListenersBroker, type AllListenersBroker } from '../helpers/tls-broker.js';

afterEach(() => closeCollectingClients());

let unique = 0;
const fresh = (name: string): string => `wstls-${name}-${++unique}`;

/** A bare WebSocket peer speaking MQTT bytes, to control frames and their types. */
class RawWebSocketClient {
  readonly packets: mqttPacket.Packet[] = [];
  closed = false;
  closeCode: number | undefined;
  readonly ws: WebSocket;
  readonly opened: Promise<void>;

  constructor(url: string, protocols: string[] = ['mqtt'], version: 4 | 5 = 4) {
    const parser = mqttPacket.parser({ protocolVersion: version });
    parser.on('packet', (p: mqttPacket.Packet) => this.packets.push(p));
    parser.on('error', () => {});
    this.ws = new WebSocket(url, protocols);
    this.ws.on('message', (data: Buffer) => parser.parse(data));
    this.ws.on('error', () => {});
    this.ws.on('close', (code) => {
      this.closed = true;
      this.closeCode = code;
    });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  async next(cmd: mqttPacket.Packet['cmd'], timeoutMs = 3000): Promise<mqttPacket.Packet> {
    await waitFor(() => this.packets.some((p) => p.cmd === cmd), timeoutMs, cmd);
    return this.packets.splice(
      this.packets.findIndex((p) => p.cmd === cmd),
      1,
    )[0]!;
  }

  close(): void {
    this.ws.terminate();
  }
}

const connectBytes = (clientId: string, version: 4 | 5 = 4): Buffer =>
  mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: version, clientId, clean: true, keepalive: 60 } as mqttPacket.IConnectPacket, { protocolVersion: version });

describe('MQTT over WebSocket', () => {
  let broker: TestBroker;
  const raws: RawWebSocketClient[] = [];
  beforeAll(async () => {
    broker = await startTestBroker();
  });
  afterAll(() => broker.close());
  afterEach(() => {
    for (const r of raws.splice(0)) r.close();
  });
  const raw = (protocols?: string[], version?: 4 | 5): RawWebSocketClient => {
    const r = new RawWebSocketClient(broker.wsUrl, protocols, version);
    raws.push(r);
    return r;
  };

  it('[MQTT-6.0.0-4] the server selects the WebSocket subprotocol "mqtt" at /mqtt', async () => {
    const only = raw(['mqtt']);
    await only.opened;
    expect(only.ws.protocol).toBe('mqtt');
    const several = raw(['something-else', 'mqtt']);
    await several.opened;
    expect(several.ws.protocol).toBe('mqtt');
  });

  for (const version of [4, 5] as const) {
    it(`(6) MQTT.js over ws:// publishes and subscribes across WebSocket and TCP at QoS 0, 1 and 2 (protocol level ${version})`, async () => {
      const p = fresh('ws');
      const wsSub = await connectCollecting(broker.wsUrl, { protocolVersion: version });
      const tcpSub = await connectCollecting(broker.url, { protocolVersion: version });
      await wsSub.client.subscribeAsync(`${p}/#`, { qos: 2 });
      await tcpSub.client.subscribeAsync(`${p}/#`, { qos: 2 });
      const wsPub = await connectCollecting(broker.wsUrl, { protocolVersion: version });
      const tcpPub = await connectCollecting(broker.url, { protocolVersion: version });
      await wsPub.client.publishAsync(`${p}/ws`, 'w0', { qos: 0 });
      await wsPub.client.publishAsync(`${p}/ws`, 'w1', { qos: 1 });
      await wsPub.client.publishAsync(`${p}/ws`, 'w2', { qos: 2 });
      await tcpPub.client.publishAsync(`${p}/tcp`, 't2', { qos: 2 });
      await waitFor(() => wsSub.received.length >= 4 && tcpSub.received.length >= 4, 5000, 'four messages each');
      for (const sub of [wsSub, tcpSub]) {
        expect(sub.received.map((m) => [m.topic, m.payload.toString(), m.qos])).toEqual([
          [`${p}/ws`, 'w0', 0],
          [`${p}/ws`, 'w1', 1],
          [`${p}/ws`, 'w2', 2],
          [`${p}/tcp`, 't2', 2],
        ]);
      }
    });
  }

  for (const version of [4, 5] as const) {
    it(`[MQTT-6.0.0-1] a WebSocket text frame closes the network connection (protocol level ${version})`, async () => {
      const p = fresh('text');
      const client = raw(['mqtt'], version);
      await client.opened;
      client.ws.send(connectBytes(`${p}-c`, version), { binary: true });
      const connack = (await client.next('connack')) as mqttPacket.IConnackPacket;
      expect(version === 5 ? connack.reasonCode : connack.returnCode).toBe(0);
      await waitFor(() => broker.broker.context.sessions.get(`${p}-c`)?.connected === true, 3000, 'the session');
      client.ws.send(mqttPacket.generate({ cmd: 'pingreq' }).toString('latin1'), { binary: false });
      await waitFor(() => client.closed, 3000, 'the connection to close');
      expect(client.packets.filter((pk) => pk.cmd === 'pingresp')).toEqual([]);
      await waitFor(() => broker.broker.context.sessions.get(`${p}-c`) === undefined, 3000, 'the session to end');
    });
  }

  it('[MQTT-6.0.0-1] a text frame instead of CONNECT closes the connection without CONNACK', async () => {
    const client = raw(['mqtt']);
    await client.opened;
    client.ws.send(connectBytes(fresh('text-first')).toString('latin1'), { binary: false });
    await waitFor(() => client.closed, 3000, 'the connection to close');
    expect(client.packets).toEqual([]);
  });

  it('[MQTT-6.0.0-2] MQTT packets need not be aligned with WebSocket frames', async () => {
    const p = fresh('frames');
    const client = raw(['mqtt']);
    await client.opened;
    const connect = connectBytes(`${p}-c`);
    // CONNECT split over three frames.
    client.ws.send(connect.subarray(0, 1), { binary: true });
    client.ws.send(connect.subarray(1, 5), { binary: true });
    client.ws.send(connect.subarray(5), { binary: true });
    const connack = (await client.next('connack')) as mqttPacket.IConnackPacket;
    expect(connack.returnCode).toBe(0);
    // SUBSCRIBE, PINGREQ and the first half of a PUBLISH in one frame, the rest in the next.
    const subscribe = mqttPacket.generate({ cmd: 'subscribe', messageId: 5, subscriptions: [{ topic: `${p}/t`, qos: 0 }] } as mqttPacket.ISubscribePacket);
    const pingreq = mqttPacket.generate({ cmd: 'pingreq' });
    const publish = mqttPacket.generate({ cmd: 'publish', topic: `${p}/t`, payload: Buffer.from('split'), qos: 0, retain: false, dup: false } as mqttPacket.IPublishPacket);
    client.ws.send(Buffer.concat([subscribe, pingreq, publish.subarray(0, 4)]), { binary: true });
    client.ws.send(publish.subarray(4), { binary: true });
    const suback = (await client.next('suback')) as mqttPacket.ISubackPacket;
    expect([suback.messageId, suback.granted]).toEqual([5, [0]]);
    await client.next('pingresp');
    const message = (await client.next('publish')) as mqttPacket.IPublishPacket;
    expect([message.topic, message.payload.toString()]).toEqual([`${p}/t`, 'split']);
  });
});

describe('MQTT over TLS and WebSocket over TLS', () => {
  let broker: AllListenersBroker;
  beforeAll(async () => {
    broker = await startAllListenersBroker(makeSelfSignedCertificate());
  });
  afterAll(() => broker.close());

  it('starts the mqtts and wss listeners when a certificate and key are configured', () => {
    const { mqtt, ws, mqtts, wss } = broker.addresses;
    expect(new Set([mqtt, ws, mqtts, wss]).size).toBe(4);
    for (const port of [mqtt, ws, mqtts, wss]) expect(port).toBeGreaterThan(0);
  });

  for (const version of [4, 5] as const) {
    it(`messages cross TCP, TLS, WebSocket and WebSocket over TLS in every direction (protocol level ${version})`, async () => {
      const p = fresh('cross');
      const tls = { rejectUnauthorized: false };
      const urls = { tcp: broker.urls.mqtt, ws: broker.urls.ws, tls: broker.urls.mqtts, wss: broker.urls.wss };
      const kinds = Object.keys(urls) as Array<keyof typeof urls>;
      const subs = new Map<string, Awaited<ReturnType<typeof connectCollecting>>>();
      for (const kind of kinds) {
        const sub = await connectCollecting(urls[kind], { protocolVersion: version, ...tls });
        await sub.client.subscribeAsync(`${p}/#`, { qos: 1 });
        subs.set(kind, sub);
      }
      for (const kind of kinds) {
        const pub = await connectCollecting(urls[kind], { protocolVersion: version, ...tls });
        await pub.client.publishAsync(`${p}/${kind}`, `from ${kind}`, { qos: 1 });
      }
      for (const [kind, sub] of subs) {
        await waitFor(() => sub.received.length >= kinds.length, 5000, `${kinds.length} messages at ${kind}`);
        expect(payloads(sub.received), kind).toEqual(kinds.map((k) => `from ${k}`));
      }
      // The connections really are on the four transports.
      const connections = broker.broker.context.sessions.liveConnections() as unknown as Array<{ transport: { kind: string } }>;
      expect(new Set(connections.map((c) => c.transport.kind))).toEqual(new Set(['tcp', 'ws', 'tls', 'wss']));
    });
  }

  it('refuses a plain-text MQTT connection on the TLS port', async () => {
    await expect(connectCollecting(`mqtt://127.0.0.1:${broker.addresses.mqtts}`, { connectTimeout: 2000 })).rejects.toThrow();
  });
});
