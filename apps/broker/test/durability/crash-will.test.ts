import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { createMigratedDatabase } from '../helpers/postgres.js';

const clients: MqttClient[] = [];
let broker: BrokerProcess | undefined;
afterAll(async () => {
  for (const c of clients) c.end(true);
  await broker?.kill('SIGKILL');
});

function connect(port: number, options: mqtt.IClientOptions): Promise<MqttClient> {
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 3000, ...options });
  client.on('error', () => {});
  clients.push(client);
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
}

describe('durability: wills across a broker crash', () => {
  it('[MQTT-3.1.2-8] the will of a persistent session connected when the broker was killed is published after restart', async () => {
    const databaseUrl = await createMigratedDatabase('crash_will');
    const port = await freePort();
    const env = { DATABASE_URL: databaseUrl, MQTT_PORT: String(port) };
    broker = await startBrokerProcess(env);
    const watcher = await connect(port, { clientId: 'cw-watcher', clean: false, properties: { sessionExpiryInterval: 3600 } });
    await watcher.subscribeAsync('status/#', { qos: 1 });
    await connect(port, {
      clientId: 'cw-device',
      clean: false,
      properties: { sessionExpiryInterval: 3600 },
      will: { topic: 'status/cw-device', payload: Buffer.from('lost'), qos: 1, retain: false },
    });
    // CONNACK came after the commit of the session and its will (durability sync).
    await broker.kill('SIGKILL');
    for (const c of clients) c.end(true);

    broker = await startBrokerProcess(env);
    const received: string[] = [];
    const again = mqtt.connect(`mqtt://127.0.0.1:${port}`, { clientId: 'cw-watcher', protocolVersion: 5, clean: false, properties: { sessionExpiryInterval: 3600 }, reconnectPeriod: 0 });
    clients.push(again);
    again.on('message', (topic, payload) => received.push(`${topic}=${payload.toString()}`));
    const deadline = Date.now() + 5000;
    while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (received.length === 0) console.log(broker.output());
    expect(received).toEqual(['status/cw-device=lost']);
  }, 30_000);
});
