/**
 * Persisted QoS 1 throughput: publishers -> one persistent subscriber (Clean Session 0), QoS 1,
 * measured twice on our broker: in memory only, then with its state in PostgreSQL (durability
 * 'sync': every message committed before its PUBACK and before it is sent on, group commit).
 *   npm run bench:persisted -w @repo/bench
 * Postgres: DATABASE_URL, or an embedded one in a temporary directory.
 * Options: BENCH_PUBLISHERS (10), BENCH_SECONDS (10), BENCH_WINDOW (20), BENCH_PAYLOAD (64),
 *          BENCH_DURABILITY (sync), BENCH_PORT (18831).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate, startEmbeddedPostgres } from '@repo/db';
import mqtt, { type MqttClient } from 'mqtt';

const here = path.dirname(fileURLToPath(import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startBroker(port: number, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(here, '../../apps/broker/src/main.ts')], {
    env: { ...process.env, MQTT_HOST: '127.0.0.1', MQTT_PORT: String(port), MQTT_WS_PORT: '-1', MQTT_ALLOW_ANONYMOUS: 'true', MQTT_ACL_DEFAULT_PUBLISH: 'allow', MQTT_ACL_DEFAULT_SUBSCRIBE: 'allow', SYS_INTERVAL: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return child;
    await sleep(100);
  }
  throw new Error('broker did not start');
}

async function stopBroker(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

function connect(url: string, clientId: string, clean: boolean): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { clientId, reconnectPeriod: 0, protocolVersion: 4, clean });
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

interface Result {
  store: string;
  publishers: number;
  seconds: number;
  acked: number;
  received: number;
  receivedPerSecond: number;
}

async function measure(url: string, label: string, opts: { publishers: number; seconds: number; window: number; payload: number }): Promise<Result> {
  const subscriber = await connect(url, `bench-persistent-sub-${label}`, false);
  let received = 0;
  subscriber.on('message', () => received++);
  await subscriber.subscribeAsync('bench/+/persisted', { qos: 1 });
  const publishers = await Promise.all(Array.from({ length: opts.publishers }, (_, i) => connect(url, `bench-pp-${label}-${i}`, true)));
  const payload = Buffer.alloc(opts.payload, 0x61);
  let acked = 0;
  let running = true;
  const pump = async (client: MqttClient, index: number): Promise<void> => {
    let inflight = 0;
    const topic = `bench/${index}/persisted`;
    while (running) {
      while (running && inflight < opts.window) {
        inflight++;
        client.publish(topic, payload, { qos: 1 }, () => {
          inflight--;
          acked++;
        });
      }
      await sleep(0);
    }
    while (inflight > 0) await sleep(5);
  };
  // Warm up one second, then measure.
  const pumps = publishers.map((c, i) => pump(c, i));
  await sleep(1000);
  const startReceived = received;
  const startAcked = acked;
  const started = Date.now();
  await sleep(opts.seconds * 1000);
  const seconds = (Date.now() - started) / 1000;
  const result: Result = {
    store: label,
    publishers: opts.publishers,
    seconds: Math.round(seconds * 10) / 10,
    acked: acked - startAcked,
    received: received - startReceived,
    receivedPerSecond: Math.round((received - startReceived) / seconds),
  };
  running = false;
  await Promise.all(pumps);
  await Promise.all([...publishers, subscriber].map((c) => c.endAsync()));
  return result;
}

async function main(): Promise<void> {
  const opts = {
    publishers: Number(process.env.BENCH_PUBLISHERS ?? 10),
    seconds: Number(process.env.BENCH_SECONDS ?? 10),
    window: Number(process.env.BENCH_WINDOW ?? 20),
    payload: Number(process.env.BENCH_PAYLOAD ?? 64),
  };
  const port = Number(process.env.BENCH_PORT ?? 18831);
  const url = `mqtt://127.0.0.1:${port}`;
  const results: Result[] = [];

  let broker = await startBroker(port, {});
  try {
    results.push(await measure(url, 'memory', opts));
  } finally {
    await stopBroker(broker);
  }

  let databaseUrl = process.env.DATABASE_URL;
  let cleanup = async () => {};
  if (!databaseUrl) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-pg-'));
    await chmod(dir, 0o755);
    const pg = await startEmbeddedPostgres({ dataDir: dir, port: 0 });
    databaseUrl = pg.databaseUrl;
    cleanup = async () => {
      await pg.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  try {
    await migrate(databaseUrl);
    const durability = process.env.BENCH_DURABILITY ?? 'sync';
    broker = await startBroker(port, { DATABASE_URL: databaseUrl, MQTT_DURABILITY: durability });
    try {
      results.push(await measure(url, `postgres (durability ${durability})`, opts));
    } finally {
      await stopBroker(broker);
    }
  } finally {
    await cleanup();
  }
  console.log(JSON.stringify({ scenario: 'QoS 1 publishers -> persistent subscriber', payloadBytes: opts.payload, window: opts.window, results }, null, 2));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
