/**
 * Connection rate with authentication against Postgres (issue 4), e.g.
 *   npm run bench:auth -w @repo/bench
 * Starts an embedded Postgres in a temp dir, migrates it, creates one MQTT user per client, each
 * with one credential holding its own random password (argon2id, @repo/passwords parameters),
 * starts our broker as a child process with DATABASE_URL and anonymous access off, then:
 *   1. first-time: every client connects once; each CONNECT pays one argon2id verification;
 *   2. reconnect: the same clients connect again; the broker's verification cache serves them.
 * Each connection is a raw MQTT 3.1.1 CONNECT over a TCP socket, CONNACK, DISCONNECT, close.
 * Options: BENCH_AUTH_CLIENTS (5000), BENCH_AUTH_CONCURRENCY (attempts in flight, 100),
 * BENCH_PORT (18831).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb, migrate, startEmbeddedPostgres, type PrismaClient } from '@repo/db';
import { ARGON2ID_PARAMETERS, hashPassword } from '@repo/passwords';
import { runConnectionRate, type ClientCredentials } from './connection-rate.js';

const here = path.dirname(fileURLToPath(import.meta.url));

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the broker exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the broker did not listen on ${port}`);
}

function startBroker(port: number, databaseUrl: string): ChildProcess {
  // node with tsx's loader directly (not through npx), so that the signal reaches the broker.
  return spawn(process.execPath, ['--import', 'tsx', path.resolve(here, '../../apps/broker/src/main.ts')], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      MQTT_PORT: String(port),
      MQTT_WS_PORT: '-1',
      MQTTS_PORT: '-1',
      MQTT_WSS_PORT: '-1',
      MQTT_ALLOW_ANONYMOUS: 'false',
      SYS_INTERVAL: '0',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

async function stopBroker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

/** One user per client, one credential per user, each with its own password; returns the clients. */
async function createClients(db: PrismaClient, count: number): Promise<ClientCredentials[]> {
  const clients: ClientCredentials[] = Array.from({ length: count }, (_, i) => ({
    clientId: `bench-auth-${i}`,
    username: `bench-user-${i}`,
    password: randomBytes(18).toString('base64url'),
  }));
  const hashes: string[] = new Array<string>(count);
  let next = 0;
  // argon2 runs on libuv's thread pool; a few hashes in flight keep it busy.
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < count) {
        const i = next++;
        hashes[i] = await hashPassword(clients[i]?.password ?? '');
      }
    }),
  );
  const userIds = clients.map(() => randomUUID());
  for (let from = 0; from < count; from += 1000) {
    const slice = clients.slice(from, from + 1000);
    await db.mqttUser.createMany({ data: slice.map((c, j) => ({ id: userIds[from + j] ?? '', username: c.username })) });
    await db.credential.createMany({ data: slice.map((_, j) => ({ userId: userIds[from + j] ?? '', secretHash: hashes[from + j] ?? '', label: 'bench' })) });
  }
  return clients;
}

async function main(): Promise<void> {
  const count = Number(process.env.BENCH_AUTH_CLIENTS ?? 5000);
  const concurrency = Number(process.env.BENCH_AUTH_CONCURRENCY ?? 100);
  const port = Number(process.env.BENCH_PORT ?? 18831);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-auth-'));
  // As root the server runs as `postgres`, which must be able to traverse the directory.
  await chmod(dir, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: dir, port: 0 });
  const db = createDb(server.databaseUrl);
  let broker: ChildProcess | undefined;
  try {
    await migrate(server.databaseUrl);
    const setupStart = Date.now();
    const clients = await createClients(db, count);
    console.error(`created ${count} MQTT users with one argon2id credential each in ${((Date.now() - setupStart) / 1000).toFixed(1)} s`);
    broker = startBroker(port, server.databaseUrl);
    await waitForPort(port, broker);
    const firstTime = await runConnectionRate({ host: '127.0.0.1', port, clients, concurrency });
    console.error(`first-time: ${firstTime.connectionsPerSecond} connections/s`);
    const reconnect = await runConnectionRate({ host: '127.0.0.1', port, clients, concurrency });
    console.error(`reconnect: ${reconnect.connectionsPerSecond} connections/s`);
    const used = await db.credential.count({ where: { lastUsedAt: { not: null } } });
    console.log(
      JSON.stringify(
        {
          scenario: 'CONNECT with user name and password checked against Postgres (argon2id), one user and credential per client',
          argon2id: { memoryCostKiB: ARGON2ID_PARAMETERS.memoryCost, timeCost: ARGON2ID_PARAMETERS.timeCost, parallelism: ARGON2ID_PARAMETERS.parallelism },
          cpus: os.cpus().length,
          concurrency,
          firstTime,
          reconnect,
          credentialsMarkedUsed: used,
        },
        null,
        2,
      ),
    );
  } finally {
    if (broker) await stopBroker(broker);
    await db.$disconnect();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
