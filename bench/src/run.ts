/**
 * Benchmarks against a running broker (ours by default, or any other with BENCH_URL), e.g.
 *   npm run bench                                   # ours, started in-process on a free port
 *   BENCH_URL=mqtt://127.0.0.1:1884 npm run bench   # any broker, e.g. mosquitto, side by side
 * Options: BENCH_PUBLISHERS (100), BENCH_SECONDS (10), BENCH_QOS (0), BENCH_PAYLOAD (64).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFanIn } from './fan-in.js';

const here = path.dirname(fileURLToPath(import.meta.url));

async function startOurBroker(port: number): Promise<() => void> {
  // node with tsx's loader directly (not through npx), so that the signal reaches the broker.
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(here, '../../apps/broker/src/main.ts')], {
    env: { ...process.env, MQTT_PORT: String(port), MQTT_WS_PORT: '-1', MQTT_ALLOW_ANONYMOUS: 'true', SYS_INTERVAL: '0', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  // Wait until the port accepts connections.
  const net = await import('node:net');
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return () => {
    child.kill('SIGTERM');
  };
}

async function main(): Promise<void> {
  let url = process.env.BENCH_URL;
  let stop: (() => void) | undefined;
  if (!url) {
    const port = Number(process.env.BENCH_PORT ?? 18830);
    stop = await startOurBroker(port);
    url = `mqtt://127.0.0.1:${port}`;
  }
  try {
    const result = await runFanIn({
      url,
      publishers: Number(process.env.BENCH_PUBLISHERS ?? 100),
      durationMs: Number(process.env.BENCH_SECONDS ?? 10) * 1000,
      qos: Number(process.env.BENCH_QOS ?? 0) as 0 | 1 | 2,
      payloadBytes: Number(process.env.BENCH_PAYLOAD ?? 64),
      window: Number(process.env.BENCH_WINDOW ?? 10),
    });
    console.log(JSON.stringify({ broker: url, ...result }, null, 2));
  } finally {
    stop?.();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
