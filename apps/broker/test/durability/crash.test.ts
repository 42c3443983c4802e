import mqtt, { type MqttClient } from 'mqtt';
import type { Packet } from 'mqtt-packet';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { createMigratedDatabase } from '../helpers/postgres.js';

const PER_PUBLISHER = 1500;
const WINDOW = 40;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const clients: MqttClient[] = [];
let broker: BrokerProcess | undefined;
afterAll(async () => {
  for (const c of clients) c.end(true);
  await broker?.kill('SIGKILL');
});

/** A persistent client that reconnects on its own (as devices do), with its session kept. */
function persistentClient(port: number, clientId: string): MqttClient {
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
    clientId,
    protocolVersion: 5,
    clean: false,
    properties: { sessionExpiryInterval: 3600 },
    reconnectPeriod: 100,
    connectTimeout: 2000,
  });
  client.on('error', () => {});
  clients.push(client);
  return client;
}

/**
 * Numbered publications at one QoS; records which numbers the broker acknowledged (PUBACK for
 * QoS 1, PUBREC for QoS 2, success reason codes only), from the packets themselves.
 */
function startPublisher(client: MqttClient, qos: 1 | 2, acked: Set<number>) {
  const byPacketId = new Map<number, number>();
  client.on('packetsend', (packet: Packet) => {
    if (packet.cmd === 'publish' && packet.messageId !== undefined) byPacketId.set(packet.messageId, Number(String(packet.payload).split('-')[1]));
  });
  client.on('packetreceive', (packet: Packet) => {
    const ack = qos === 1 ? 'puback' : 'pubrec';
    if (packet.cmd === ack && (packet.reasonCode ?? 0) < 0x80) {
      const n = byPacketId.get(packet.messageId!);
      if (n !== undefined) acked.add(n);
    }
  });
  let completed = 0;
  const done = (async () => {
    for (let n = 1; n <= PER_PUBLISHER; n++) {
      while (n - 1 - completed >= WINDOW) await sleep(1);
      client.publish('crash/stream', `q${qos}-${n}`, { qos }, () => completed++);
    }
    while (completed < PER_PUBLISHER) await sleep(5);
  })();
  return { done };
}

describe('durability: crash (SIGKILL) mid-stream', () => {
  it('every message acknowledged to its publisher reaches the persistent subscriber after restart; QoS 2 never twice', async () => {
    const databaseUrl = await createMigratedDatabase('crash');
    const port = await freePort();
    const env = { DATABASE_URL: databaseUrl, MQTT_PORT: String(port), MQTT_DURABILITY: 'sync' };
    broker = await startBrokerProcess(env);

    const received = { 1: new Map<number, number>(), 2: new Map<number, number>() };
    const sub = persistentClient(port, 'crash-sub');
    sub.on('message', (_topic, payload) => {
      const [q, n] = payload.toString().split('-');
      const map = q === 'q1' ? received[1] : received[2];
      map.set(Number(n), (map.get(Number(n)) ?? 0) + 1);
    });
    await new Promise<void>((resolve) => sub.once('connect', () => resolve()));
    await sub.subscribeAsync('crash/#', { qos: 2 });

    const acked = { 1: new Set<number>(), 2: new Set<number>() };
    const p1 = persistentClient(port, 'crash-pub-1');
    const p2 = persistentClient(port, 'crash-pub-2');
    await Promise.all([p1, p2].map((c) => new Promise<void>((resolve) => c.once('connect', () => resolve()))));
    const runs = [startPublisher(p1, 1, acked[1]), startPublisher(p2, 2, acked[2])];

    // Kill the broker mid-stream, without warning.
    while (acked[1].size < PER_PUBLISHER / 4 || acked[2].size < PER_PUBLISHER / 4) await sleep(2);
    const ackedAtCrash = { 1: acked[1].size, 2: acked[2].size };
    const receivedAtCrash = { 1: received[1].size, 2: received[2].size };
    await broker.kill('SIGKILL');
    await sleep(300);
    broker = await startBrokerProcess(env);

    await Promise.all(runs.map((r) => r.done));
    const allAcked = (q: 1 | 2) => [...acked[q]].every((n) => received[q].has(n));
    const deadline = Date.now() + 20000;
    while (!(allAcked(1) && allAcked(2)) && Date.now() < deadline) await sleep(20);

    const missing = (q: 1 | 2) => [...acked[q]].filter((n) => !received[q].has(n));
    const duplicates = (q: 1 | 2) => [...received[q]].filter(([, count]) => count > 1).length;
    const summary = {
      perPublisher: PER_PUBLISHER,
      ackedAtCrash,
      receivedAtCrash,
      acked: { qos1: acked[1].size, qos2: acked[2].size },
      delivered: { qos1: received[1].size, qos2: received[2].size },
      missing: { qos1: missing(1).length, qos2: missing(2).length },
      duplicates: { qos1: duplicates(1), qos2: duplicates(2) },
    };
    console.log(`crash test counts: ${JSON.stringify(summary)}`);

    expect(missing(1)).toEqual([]);
    expect(missing(2)).toEqual([]);
    expect(duplicates(2)).toBe(0);
    expect(acked[1].size).toBe(PER_PUBLISHER);
    expect(acked[2].size).toBe(PER_PUBLISHER);
  }, 90_000);
});
