/**
 * Tracing overhead: the fan-in scenario against our broker on Postgres, without a trace (A) and
 * with a trace running on one client that takes no part in the traffic (B), alternated
 * A B B A A B ... (the machine may be shared: alternating spreads the noise over both), medians
 * reported.
 *   npm run bench:trace -w @repo/bench
 * Options: BENCH_ROUNDS (5 per side), BENCH_SECONDS (5), BENCH_PUBLISHERS (20), BENCH_QOS (0),
 * BENCH_PAYLOAD (64), BENCH_WINDOW (10).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ControlChannel } from '@repo/control';
import { createDb, migrate, startEmbeddedPostgres } from '@repo/db';
import mqtt from 'mqtt';
import { runFanIn } from './fan-in.js';
import { brokerNodeFlags } from './brokers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const UNRELATED = 'bench-unrelated-client';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** CPU time (user + system) the broker process has used, in microseconds (Linux /proc). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of stat (11 and 12 after the command name), in clock ticks (100/s).
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
};

async function main(): Promise<void> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-trace-'));
  await chmod(dir, 0o755);
  const postgres = await startEmbeddedPostgres({ dataDir: dir, port: 0 });
  await migrate(postgres.databaseUrl);
  const db = createDb(postgres.databaseUrl);
  const port = await freePort();
  const broker = spawn(process.execPath, [...brokerNodeFlags(), '--import', 'tsx', path.resolve(here, '../../apps/broker/src/main.ts')], {
    env: {
      ...process.env,
      DATABASE_URL: postgres.databaseUrl,
      MQTT_HOST: '127.0.0.1',
      MQTT_PORT: String(port),
      MQTT_WS_PORT: '-1',
      MQTTS_PORT: '-1',
      MQTT_WSS_PORT: '-1',
      MQTT_ALLOW_ANONYMOUS: 'true',
      MQTT_ACL_DEFAULT_PUBLISH: 'allow',
      MQTT_ACL_DEFAULT_SUBSCRIBE: 'allow',
      SYS_INTERVAL: '0',
      BROKER_HTTP_PORT: '-1', // metrics/health endpoints: not needed here, and 9090 may be taken
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `mqtt://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      });
      if (up) break;
      if (i > 300) throw new Error('broker did not start');
      await new Promise((r) => setTimeout(r, 100));
    }

    const setTrace = async (on: boolean): Promise<void> => {
      await db.trace.updateMany({ where: { status: 'running' }, data: { status: 'stopped', stoppedAt: new Date() } });
      if (!on) {
        await db.$executeRaw`SELECT pg_notify(${ControlChannel.tracesChanged}, '')`;
        await new Promise((r) => setTimeout(r, 500));
        return;
      }
      const trace = await db.trace.create({
        data: { name: 'bench: unrelated client', filter: { clientId: UNRELATED }, endsAt: new Date(Date.now() + 3_600_000), payloadCaptureBytes: 64, maxEvents: 1_000_000 },
      });
      await db.$executeRaw`SELECT pg_notify(${ControlChannel.tracesChanged}, ${trace.id})`;
      // Proof that the broker traces: the unrelated client's CONNECT is recorded.
      const deadline = Date.now() + 15_000;
      for (;;) {
        const client = await mqtt.connectAsync(url, { clientId: UNRELATED, reconnectPeriod: 0 });
        await client.endAsync();
        await new Promise((r) => setTimeout(r, 300));
        const row = await db.trace.findUnique({ where: { id: trace.id } });
        if ((row?.eventCount ?? 0) > 0) break;
        if (Date.now() > deadline) throw new Error('the broker did not pick up the trace');
      }
    };

    const options = {
      url,
      publishers: Number(process.env.BENCH_PUBLISHERS ?? 20),
      durationMs: seconds * 1000,
      qos: Number(process.env.BENCH_QOS ?? 0) as 0 | 1 | 2,
      payloadBytes: Number(process.env.BENCH_PAYLOAD ?? 64),
      window: Number(process.env.BENCH_WINDOW ?? 10),
    };
    const a: number[] = [];
    const b: number[] = [];
    const cpuA: number[] = [];
    const cpuB: number[] = [];
    // Throughput suffers from whatever else runs on the machine; the broker's own CPU time per
    // message published is much less sensitive to it, so both are reported.
    const measure = async (rates: number[], cpu: number[]): Promise<void> => {
      let before = 0;
      let used = 0;
      const result = await runFanIn({
        ...options,
        onWindow: (phase) => {
          if (phase === 'start') before = cpuMicros(broker.pid!);
          else used = cpuMicros(broker.pid!) - before;
        },
      });
      rates.push(result.receivedPerSecond);
      // Broker CPU in the measured window per message delivered to the subscriber in it.
      cpu.push(Number((used / Math.max(1, result.received)).toFixed(2)));
    };
    for (let round = 0; round < rounds; round++) {
      // A B, then B A: neither side always runs first after a switch.
      for (const traced of round % 2 === 0 ? [false, true] : [true, false]) {
        await setTrace(traced);
        if (traced) await measure(b, cpuB);
        else await measure(a, cpuA);
      }
      console.error(`round ${round + 1}/${rounds}: no trace ${a.at(-1)} msg/s (${cpuA.at(-1)} µs CPU/msg), trace on an unrelated client ${b.at(-1)} msg/s (${cpuB.at(-1)} µs CPU/msg)`);
    }
    const tracedEvents = await db.traceEvent.count();
    const [ma, mb] = [median(a), median(b)];
    const medianOf = (values: number[]): number => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
    const [ca, cb] = [medianOf(cpuA), medianOf(cpuB)];
    console.log(
      JSON.stringify(
        {
          scenario: `fan-in: ${options.publishers} publishers -> 1 wildcard subscriber, QoS ${options.qos}, ${options.payloadBytes} B, broker on Postgres`,
          rounds,
          secondsPerRun: seconds,
          noTrace: { runs: a, medianPerSecond: ma, cpuMicrosPerMessage: cpuA, medianCpuMicrosPerMessage: ca },
          traceOnUnrelatedClient: { runs: b, medianPerSecond: mb, cpuMicrosPerMessage: cpuB, medianCpuMicrosPerMessage: cb },
          throughputSlowdownPercent: Number((((ma - mb) / ma) * 100).toFixed(1)),
          cpuPerMessageIncreasePercent: Number((((cb - ca) / ca) * 100).toFixed(1)),
          eventsRecorded: tracedEvents,
        },
        null,
        2,
      ),
    );
  } finally {
    broker.kill('SIGTERM');
    await new Promise((r) => broker.once('exit', r));
    await db.$disconnect();
    await postgres.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
