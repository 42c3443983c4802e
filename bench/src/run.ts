/**
 * `npm run bench`: scenarios 1-8 of issue 8 against our broker, and side by side against
 * Mosquitto and Aedes when they are installed, alternating brokers round by round.
 *
 *   npm run bench                                   # everything, defaults (about 12-15 minutes)
 *   npm run bench -- --scenarios fan-in,fan-out --rounds 5 --seconds 10
 *   npm run bench -- --brokers ours,mosquitto --quick
 *
 * Flags (or environment variables): see `usage` below. Results: bench/results/<time>.jsonl
 * (one line per round, then one per scenario with the medians) and <time>.md (the table).
 */
import { mkdir, writeFile, appendFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrokerName } from './brokers.js';
import { markdownReport, machineLine } from './report.js';
import { runScenarios } from './runner.js';
import { defaultOptions, quickOptions } from './options.js';
import type { BenchOptions } from './scenario.js';
import { scenarios } from './scenarios/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));

const flags: Record<string, { key: keyof BenchOptions; env: string; help: string }> = {
  '--rounds': { key: 'rounds', env: 'BENCH_ROUNDS', help: 'rounds per broker (alternating)' },
  '--warmup-rounds': { key: 'warmupRounds', env: 'BENCH_WARMUP_ROUNDS', help: 'unrecorded rounds per broker before the measured ones' },
  '--seconds': { key: 'seconds', env: 'BENCH_SECONDS', help: 'measured seconds per throughput run' },
  '--payload': { key: 'payloadBytes', env: 'BENCH_PAYLOAD', help: 'payload bytes' },
  '--publishers': { key: 'fanInPublishers', env: 'BENCH_PUBLISHERS', help: 'fan-in/overload publishers' },
  '--subscribers': { key: 'fanOutSubscribers', env: 'BENCH_SUBSCRIBERS', help: 'fan-out subscribers' },
  '--window': { key: 'window', env: 'BENCH_WINDOW', help: 'closed-loop messages outstanding' },
  '--connect-clients': { key: 'connectClients', env: 'BENCH_CONNECT_CLIENTS', help: 'connect storm clients' },
  '--connect-concurrency': { key: 'connectConcurrency', env: 'BENCH_CONNECT_CONCURRENCY', help: 'connect attempts in flight' },
  '--auth-clients': { key: 'authClients', env: 'BENCH_AUTH_CLIENTS', help: 'credential storm clients per round' },
  '--latency-rate': { key: 'latencyRate', env: 'BENCH_LATENCY_RATE', help: 'latency scenario msg/s' },
  '--latency-seconds': { key: 'latencySeconds', env: 'BENCH_LATENCY_SECONDS', help: 'latency scenario seconds' },
  '--memory-clients': { key: 'memoryClients', env: 'BENCH_MEMORY_CLIENTS', help: 'idle connections, two sizes: 5000,50000' },
  '--memory-hold-seconds': { key: 'memoryHoldSeconds', env: 'BENCH_MEMORY_HOLD_SECONDS', help: 'seconds the idle connections are held (and RSS sampled)' },
  '--retained': { key: 'retainedTopics', env: 'BENCH_RETAINED', help: 'retained topics' },
};

function usage(): string {
  const lines = Object.entries(flags).map(([flag, f]) => `  ${flag.padEnd(22)} ${f.env.padEnd(26)} ${f.help} (default ${String(defaultOptions[f.key])})`);
  return [
    'npm run bench -- [flags]',
    `  --scenarios a,b         BENCH_SCENARIOS            ${scenarios.map((s) => s.id).join(',')}`,
    '  --brokers a,b           BENCH_BROKERS              ours,mosquitto,aedes (those installed)',
    '  --quick                                            tiny sizes, one round',
    '  --target host:port      BENCH_TARGET               only this already running broker (BENCH_TARGET_PID: its pid, for CPU/RSS)',
    ...lines,
  ].join('\n');
}

function parse(argv: string[]): { options: BenchOptions; scenarioIds: string[]; brokers: BrokerName[] } {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      console.log(usage());
      process.exit(0);
    }
    if (arg === '--quick') args.set(arg, 'true');
    else if (arg.startsWith('--')) {
      const [name, inline] = arg.split('=', 2) as [string, string | undefined];
      args.set(name, inline ?? argv[++i] ?? '');
    }
  }
  const options: BenchOptions = { ...(args.has('--quick') || process.env.BENCH_QUICK ? quickOptions : defaultOptions) };
  for (const [flag, f] of Object.entries(flags)) {
    const raw = args.get(flag) ?? process.env[f.env];
    if (raw === undefined) continue;
    if (f.key === 'memoryClients') options.memoryClients = raw.split(',').map(Number);
    else (options[f.key] as number) = Number(raw);
  }
  const scenarioIds = (args.get('--scenarios') ?? process.env.BENCH_SCENARIOS ?? scenarios.map((s) => s.id).join(',')).split(',').filter(Boolean);
  const unknown = scenarioIds.filter((id) => !scenarios.some((s) => s.id === id));
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')}\n${usage()}`);
  const target = args.get('--target');
  if (target) process.env.BENCH_TARGET = target;
  if (process.env.BENCH_TARGET) return { options, scenarioIds, brokers: ['external'] };
  const brokers = (args.get('--brokers') ?? process.env.BENCH_BROKERS ?? 'ours,mosquitto,aedes').split(',').filter(Boolean) as BrokerName[];
  return { options, scenarioIds, brokers };
}

async function main(): Promise<void> {
  const { options, scenarioIds, brokers } = parse(process.argv.slice(2));
  const startedAt = new Date();
  const dir = path.resolve(here, '../results');
  await mkdir(dir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const jsonl = path.join(dir, `${stamp}.jsonl`);
  console.error(`machine: ${machineLine()}\noptions: ${JSON.stringify(options)}\nresults: ${jsonl}`);
  const summaries = await runScenarios({
    options,
    brokers,
    scenarios: scenarios.filter((s) => scenarioIds.includes(s.id)),
    onRound: (result) => void appendFile(jsonl, `${JSON.stringify({ type: 'round', ...result })}\n`),
  });
  for (const s of summaries) await appendFile(jsonl, `${JSON.stringify({ type: 'median', scenario: s.scenario.id, versions: s.versions, medians: s.medians })}\n`);
  const report = markdownReport(summaries, options, startedAt, new Date());
  await writeFile(path.join(dir, `${stamp}.md`), report);
  await writeFile(path.join(dir, 'latest.md'), report);
  console.log(`\n${report}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
