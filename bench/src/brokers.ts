/**
 * The brokers under test, each started as its own process on a free port: ours (memory, or
 * Postgres when a scenario needs durability or credentials), Mosquitto (Debian package, when
 * installed) and Aedes (npm devDependency, when installed).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Target } from './raw-client.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const BROKER_MAIN = path.resolve(here, '../../apps/broker/src/main.ts');

/**
 * The Node.js flags `npm start` gives the broker (its package.json start script, e.g. the young
 * generation's size), so that the bench measures the broker as it is deployed.
 */
export function brokerNodeFlags(): string[] {
  const manifest = JSON.parse(readFileSync(path.resolve(here, '../../apps/broker/package.json'), 'utf8')) as { scripts?: { start?: string } };
  const words = (manifest.scripts?.start ?? '').split(/\s+/);
  const node = words.indexOf('node');
  if (node < 0) return [];
  const flags: string[] = [];
  for (const word of words.slice(node + 1)) {
    if (!word.startsWith('--') || word === '--import') break;
    flags.push(word);
  }
  return flags;
}

export type BrokerName = 'ours' | 'mosquitto' | 'aedes' | 'external';

export interface RunningBroker {
  readonly name: BrokerName;
  readonly target: Target;
  readonly pid: number;
  readonly version: string;
  /** False once the process has exited (a crashed broker is restarted for the next round). */
  alive(): boolean;
  stop(): Promise<void>;
}

export interface OurBrokerOptions {
  databaseUrl?: string;
  allowAnonymous?: boolean;
  env?: Record<string, string>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before listening`);
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
  throw new Error(`${name} did not listen on ${port} within 60 s`);
}

function stopper(child: ChildProcess, cleanup?: () => Promise<void>): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await cleanup?.();
  };
}

/** Our broker, from source through tsx's loader, in a child process (node directly, so signals reach it). */
export async function startOurBroker(options: OurBrokerOptions = {}): Promise<RunningBroker> {
  const port = await freePort();
  const nodeArgs = [...brokerNodeFlags(), ...(process.env.BENCH_BROKER_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MQTT_HOST: '127.0.0.1',
    MQTT_PORT: String(port),
    MQTT_WS_PORT: '-1',
    MQTTS_PORT: '-1',
    MQTT_WSS_PORT: '-1',
    // Metrics and health stay on, as deployed, on a port of their own (several brokers may run at once).
    BROKER_HTTP_PORT: String(await freePort()),
    MQTT_ALLOW_ANONYMOUS: String(options.allowAnonymous ?? true),
    SYS_INTERVAL: '0',
    LOG_LEVEL: 'error',
    // With a database the ACL rules come from it and deny by default; the bench has no rules.
    MQTT_ACL_DEFAULT_PUBLISH: 'allow',
    MQTT_ACL_DEFAULT_SUBSCRIBE: 'allow',
    ...options.env,
  };
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  else delete env.DATABASE_URL;
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', BROKER_MAIN], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  await waitForPort(port, child, 'our broker');
  return { name: 'ours', target: { host: '127.0.0.1', port }, pid: child.pid!, version: options.databaseUrl ? 'postgres' : 'memory', alive: () => child.exitCode === null && child.signalCode === null, stop: stopper(child) };
}

export function mosquittoPath(): string | undefined {
  for (const candidate of ['/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto', '/usr/bin/mosquitto']) if (existsSync(candidate)) return candidate;
  return undefined;
}

/** Mosquitto with a generated config: one listener on a free port, anonymous, no persistence, no logging. */
export async function startMosquitto(): Promise<RunningBroker> {
  const binary = mosquittoPath();
  if (!binary) throw new Error('mosquitto is not installed');
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-mosquitto-'));
  const config = path.join(dir, 'mosquitto.conf');
  await writeFile(config, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest none', 'set_tcp_nodelay true', 'max_connections -1', 'max_queued_messages 1000', ''].join('\n'));
  let version = 'unknown';
  try {
    version = /version ([\d.]+)/.exec(execFileSync(binary, ['-h'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }))?.[1] ?? version;
  } catch (error) {
    // `mosquitto -h` exits non-zero but prints its version.
    const out = String((error as { stdout?: string }).stdout ?? '');
    version = /version ([\d.]+)/.exec(out)?.[1] ?? version;
  }
  const child = spawn(binary, ['-c', config], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForPort(port, child, 'mosquitto');
  return { name: 'mosquitto', target: { host: '127.0.0.1', port }, pid: child.pid!, version, alive: () => child.exitCode === null && child.signalCode === null, stop: stopper(child, () => rm(dir, { recursive: true, force: true })) };
}

export function aedesVersion(): string | undefined {
  try {
    // The package's exports hide package.json: find it next to the resolved entry point.
    const require = createRequire(import.meta.url);
    const entry = require.resolve('aedes');
    return (JSON.parse(readFileSync(path.join(path.dirname(entry), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}

/** Aedes (in-memory persistence and emitter), in a child process. */
export async function startAedes(): Promise<RunningBroker> {
  const version = aedesVersion();
  if (!version) throw new Error('aedes is not installed');
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'aedes-server.ts'), String(port)], { stdio: ['ignore', 'inherit', 'inherit'] });
  await waitForPort(port, child, 'aedes');
  return { name: 'aedes', target: { host: '127.0.0.1', port }, pid: child.pid!, version, alive: () => child.exitCode === null && child.signalCode === null, stop: stopper(child) };
}

/** Which brokers can run here, in the order they alternate. */
export function availableBrokers(wanted: BrokerName[]): BrokerName[] {
  return wanted.filter((name) => name === 'ours' || name === 'external' || (name === 'mosquitto' && mosquittoPath()) || (name === 'aedes' && aedesVersion()));
}

/**
 * A broker the bench does not start: BENCH_TARGET=host:port (and BENCH_TARGET_PID for its CPU
 * and memory figures, which are 0 without it).
 */
export function externalBroker(): RunningBroker {
  const [host, port] = (process.env.BENCH_TARGET ?? '').split(':');
  if (!host || !port) throw new Error('BENCH_TARGET must be host:port');
  return { name: 'external', target: { host, port: Number(port) }, pid: Number(process.env.BENCH_TARGET_PID ?? 0), version: `${host}:${port}`, alive: () => true, stop: async () => {} };
}

export function startBroker(name: BrokerName, ours: OurBrokerOptions = {}): Promise<RunningBroker> {
  if (name === 'external') return Promise.resolve(externalBroker());
  if (name === 'ours') return startOurBroker(ours);
  if (name === 'mosquitto') return startMosquitto();
  return startAedes();
}

export interface Postgres {
  databaseUrl: string;
  stop(): Promise<void>;
}

/** DATABASE_URL when set, else an embedded Postgres in a temporary directory (migrated). */
export async function startPostgres(): Promise<Postgres> {
  const { migrate, startEmbeddedPostgres } = await import('@repo/db');
  if (process.env.BENCH_DATABASE_URL) {
    await migrate(process.env.BENCH_DATABASE_URL);
    return { databaseUrl: process.env.BENCH_DATABASE_URL, stop: async () => {} };
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-pg-'));
  // As root the server runs as `postgres`, which must be able to traverse the directory.
  await chmod(dir, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: dir, port: 0 });
  await migrate(server.databaseUrl);
  return {
    databaseUrl: server.databaseUrl,
    stop: async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
