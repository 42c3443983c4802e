/**
 * Connect storm: N clients connect as fast as possible (`connectConcurrency` attempts in flight),
 * each over a bare socket: CONNECT, CONNACK, DISCONNECT, and the broker closes. The figure is
 * accepted connections per second from the first attempt to the last CONNACK; latency runs from
 * the socket's creation (TCP handshake included) to CONNACK.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { nativeConnectStorm, runNativeConnectStorm, type NativeStormResult } from '../native-generator.js';
import { CpuMeter } from '../proc-stats.js';
import { percentile, type Target } from '../raw-client.js';
import type { Figures } from '../scenario.js';
import type { Postgres } from '../brokers.js';
import { DISCONNECT, connectPacket } from '../wire.js';

export interface StormClient {
  clientId: string;
  username?: string;
  password?: string;
}

function connectOnce(target: Target, packet: Buffer): Promise<{ returnCode: number; latencyMs: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = net.connect({ host: target.host, port: target.port, noDelay: true });
    let received: Buffer | null = null;
    let settled = false;
    const settle = (returnCode: number): void => {
      if (settled) return;
      settled = true;
      resolve({ returnCode, latencyMs: performance.now() - started });
    };
    // The broker closes after DISCONNECT (so TIME_WAIT stays on its side); never wait forever.
    const guard = setTimeout(() => {
      settle(-1);
      socket.destroy();
    }, 15_000);
    socket.once('connect', () => socket.write(packet));
    socket.on('data', (bytes: Buffer) => {
      received = received ? Buffer.concat([received, bytes]) : bytes;
      if (received.length < 4 || settled) return;
      const returnCode = received[0] === 0x20 ? (received[3] ?? -1) : -1;
      settle(returnCode);
      if (returnCode === 0) socket.write(DISCONNECT);
      else socket.destroy();
    });
    socket.on('error', () => settle(-1));
    socket.on('close', () => {
      clearTimeout(guard);
      settle(-1);
    });
  });
}

/** The Node.js generator (the fallback when the C one cannot be built): same exchange, same output. */
async function runNodeConnectStorm(target: Target, packets: Buffer[], concurrency: number): Promise<NativeStormResult> {
  const results: NativeStormResult['results'] = new Array(packets.length);
  let next = 0;
  let lastConnack = performance.now();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, packets.length) }, async () => {
      while (next < packets.length) {
        const index = next++;
        results[index] = await connectOnce(target, packets[index]!);
        if (results[index].returnCode === 0) lastConnack = performance.now();
      }
    }),
  );
  // This process is the generator: its CPU is what CpuMeter measures already.
  return { results, elapsedSeconds: (lastConnack - started) / 1000, cpuSeconds: 0 };
}

export async function runConnectStorm(target: Target, brokerPid: number, clients: StormClient[], concurrency: number): Promise<Figures> {
  const packets = clients.map((c) => connectPacket({ clientId: c.clientId, ...(c.username !== undefined ? { username: c.username } : {}), ...(c.password !== undefined ? { password: c.password } : {}) }));
  const native = nativeConnectStorm();
  const cpu = new CpuMeter(brokerPid);
  const run = native ? await runNativeConnectStorm(native, target, packets, concurrency) : await runNodeConnectStorm(target, packets, concurrency);
  const usage = cpu.read();
  const latencies = run.results.filter((r) => r.returnCode === 0).map((r) => r.latencyMs).sort((a, b) => a - b);
  return {
    connectsPerSecond: Math.round(latencies.length / run.elapsedSeconds),
    latencyP50Ms: Math.round(percentile(latencies, 50) * 10) / 10,
    latencyP99Ms: Math.round(percentile(latencies, 99) * 10) / 10,
    accepted: latencies.length,
    refused: run.results.filter((r) => r.returnCode > 0).length,
    failed: run.results.filter((r) => r.returnCode < 0).length,
    brokerCpuPercent: usage.brokerCpuPercent,
    // With the C generator this process only waited: the child's CPU time is added.
    generatorCpuPercent: usage.generatorCpuPercent + Math.round((run.cpuSeconds / usage.seconds) * 100),
    nativeGenerator: native ? 1 : 0,
  };
}

export function anonymousClients(count: number): StormClient[] {
  const tag = randomBytes(4).toString('hex');
  return Array.from({ length: count }, (_, i) => ({ clientId: `bench-cs-${tag}-${i}` }));
}

/**
 * MQTT users for the credentials storm: one user and one credential per client, `rounds` sets so
 * that every round's first-time connections meet credentials the broker has not verified yet.
 * All share one password and so one argon2id hash (computed once): the broker still verifies
 * each credential on its first use, its cache being per credential.
 */
export async function createStormUsers(postgres: Postgres, perRound: number, rounds: number): Promise<StormClient[][]> {
  const { createDb } = await import('@repo/db');
  const { hashPassword } = await import('@repo/passwords');
  const db = createDb(postgres.databaseUrl);
  const password = randomBytes(18).toString('base64url');
  const secretHash = await hashPassword(password);
  const tag = randomBytes(3).toString('hex');
  const sets: StormClient[][] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      const set = Array.from({ length: perRound }, (_, i) => ({ clientId: `bench-auth-${tag}-${r}-${i}`, username: `bench-${tag}-${r}-${i}`, password }));
      for (let from = 0; from < set.length; from += 1000) {
        const slice = set.slice(from, from + 1000);
        const ids = slice.map(() => randomUUID());
        await db.mqttUser.createMany({ data: slice.map((c, j) => ({ id: ids[j]!, username: c.username })) });
        await db.credential.createMany({ data: slice.map((_, j) => ({ userId: ids[j]!, secretHash, label: 'bench' })) });
      }
      sets.push(set);
    }
  } finally {
    await db.$disconnect();
  }
  return sets;
}
