/**
 * The connect-storm generator in C (bench/native/connect-storm.c), compiled on first use with the
 * machine's C compiler into bench/.native/ (not committed). Node.js sockets cost the generator
 * about as much CPU per connection as the broker spends, so on a 2-core machine the Node.js
 * generator, not the broker, set the pace. Without a compiler (or with BENCH_NATIVE_GENERATOR=0)
 * the scenario falls back to the Node.js generator and says so in its figures.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Target } from './raw-client.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const source = path.resolve(here, '../native/connect-storm.c');
const binary = path.resolve(here, '../.native/connect-storm');

let available: boolean | undefined;

/** The compiled generator's path, or null when it cannot be built here. */
export function nativeConnectStorm(): string | null {
  if (process.env.BENCH_NATIVE_GENERATOR === '0') return null;
  if (available === undefined) {
    try {
      if (!existsSync(binary) || statSync(binary).mtimeMs < statSync(source).mtimeMs) {
        mkdirSync(path.dirname(binary), { recursive: true });
        execFileSync(process.env.CC ?? 'cc', ['-O2', '-o', binary, source], { stdio: ['ignore', 'ignore', 'pipe'] });
      }
      available = true;
    } catch (error) {
      console.error(`bench: the C connect-storm generator could not be built (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); using the Node.js generator`);
      available = false;
    }
  }
  return available ? binary : null;
}

export interface NativeStormResult {
  /** Per client, in input order: CONNACK return code (-1: none) and microseconds to CONNACK. */
  results: { returnCode: number; latencyMs: number }[];
  /** From the first socket() to the last CONNACK, in seconds. */
  elapsedSeconds: number;
  /** CPU time the generator process used, in seconds. */
  cpuSeconds: number;
}

export function runNativeConnectStorm(binaryPath: string, target: Target, packets: Buffer[], concurrency: number): Promise<NativeStormResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binaryPath, [target.host === 'localhost' ? '127.0.0.1' : target.host, String(target.port), String(concurrency)], { stdio: ['pipe', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`connect-storm generator exited with ${code}`));
      const lines = Buffer.concat(chunks).toString('utf8').trim().split('\n');
      const cpu = /^cpu_us (\d+)$/.exec(lines.pop() ?? '');
      const elapsed = /^elapsed_us (\d+)$/.exec(lines.pop() ?? '');
      if (!cpu || !elapsed || lines.length !== packets.length) return reject(new Error(`connect-storm generator: unexpected output (${lines.length} results for ${packets.length} clients)`));
      resolve({
        results: lines.map((line) => {
          const [code, micros] = line.split(' ');
          return { returnCode: Number(code), latencyMs: Number(micros) / 1000 };
        }),
        elapsedSeconds: Number(elapsed[1]) / 1e6,
        cpuSeconds: Number(cpu[1]) / 1e6,
      });
    });
    const input = Buffer.concat(
      packets.flatMap((packet) => {
        const length = Buffer.alloc(4);
        length.writeUInt32LE(packet.length);
        return [length, packet];
      }),
    );
    child.stdin.end(input);
  });
}
