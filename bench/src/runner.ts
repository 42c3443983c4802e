/**
 * Runs scenarios against several brokers, alternating them round by round (A B C A B C ...), so
 * that the machine's load drifts over all of them alike; reports medians and ratios.
 */
import { availableBrokers, startBroker, startPostgres, type BrokerName, type Postgres, type RunningBroker } from './brokers.js';
import type { BenchOptions, Figures, Scenario } from './scenario.js';

export interface RoundResult {
  scenario: string;
  broker: BrokerName;
  brokerVersion: string;
  round: number;
  figures: Figures;
  error?: string;
}

export interface ScenarioSummary {
  scenario: Scenario;
  brokers: BrokerName[];
  versions: Partial<Record<BrokerName, string>>;
  /** Median over rounds, per broker and metric. */
  medians: Partial<Record<BrokerName, Figures>>;
  rounds: RoundResult[];
}

export interface RunnerOptions {
  options: BenchOptions;
  scenarios: Scenario[];
  brokers: BrokerName[];
  /** One line per finished round (JSON lines). */
  onRound?: (result: RoundResult) => void;
  log?: (line: string) => void;
  /** Keep brokers running from one scenario to the next when they run alike (smoke test: fewer starts; figures then less clean). */
  reuseBrokers?: boolean;
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function runScenarios(runner: RunnerOptions): Promise<ScenarioSummary[]> {
  const log = runner.log ?? ((line: string) => console.error(line));
  const brokersHere = availableBrokers(runner.brokers);
  const summaries: ScenarioSummary[] = [];
  let postgres: Postgres | undefined;
  const kept = new Map<string, RunningBroker>();
  try {
    for (const scenario of runner.scenarios) {
      if (scenario.ours !== 'memory' && !postgres) {
        log('starting Postgres for the durable and credential scenarios');
        postgres = await startPostgres();
      }
      const brokers = scenario.oursOnly ? brokersHere.filter((b) => b === 'ours') : brokersHere;
      const prepared = scenario.prepare ? await scenario.prepare(postgres, runner.options) : undefined;
      const ourOptions = { ...(scenario.ours !== 'memory' ? { databaseUrl: postgres!.databaseUrl } : {}), allowAnonymous: scenario.ours !== 'postgres-auth' };
      const running = new Map<BrokerName, RunningBroker>();
      if (runner.reuseBrokers) for (const name of brokers) {
        const broker = kept.get(`${name}:${scenario.ours}`);
        if (broker) running.set(name, broker);
      }
      const summary: ScenarioSummary = { scenario, brokers, versions: {}, medians: {}, rounds: [] };
      log(`\n== ${scenario.title}`);
      try {
        // Warm-up rounds (numbered 0 and below) run like the others but are not recorded.
        const warmup = scenario.freshBrokerPerRound ? 0 : runner.options.warmupRounds;
        for (let round = 1 - warmup; round <= runner.options.rounds; round++) {
          for (const name of brokers) {
            let broker = running.get(name);
            if (broker && !broker.alive()) {
              log(`  ${name} exited; starting it again`);
              await broker.stop();
              broker = undefined;
            }
            if (!broker) {
              broker = await startBroker(name, ourOptions);
              running.set(name, broker);
            }
            summary.versions[name] = broker.version;
            const result: RoundResult = { scenario: scenario.id, broker: name, brokerVersion: broker.version, round, figures: {} };
            try {
              result.figures = await scenario.run({ broker, round, options: runner.options, prepared, log });
            } catch (error) {
              result.error = error instanceof Error ? error.message : String(error);
            }
            if (round >= 1) {
              summary.rounds.push(result);
              runner.onRound?.(result);
            }
            const shown = scenario.metrics.map((metric) => `${metric.label} ${result.figures[metric.key] ?? '-'}${metric.unit ? ` ${metric.unit}` : ''}`).join(', ');
            log(`  ${round >= 1 ? `round ${round}` : 'warm-up'} ${name.padEnd(9)} ${result.error ? `ERROR ${result.error}` : shown}`);
            if (scenario.freshBrokerPerRound && !runner.reuseBrokers) {
              await broker.stop();
              running.delete(name);
            }
          }
        }
      } finally {
        for (const [name, broker] of running) {
          if (runner.reuseBrokers && broker.alive()) kept.set(`${name}:${scenario.ours}`, broker);
          else await broker.stop();
        }
      }
      for (const name of brokers) {
        const mine = summary.rounds.filter((r) => r.broker === name && !r.error);
        const medians: Figures = {};
        const keys = new Set(mine.flatMap((r) => Object.keys(r.figures)));
        for (const key of keys) medians[key] = median(mine.map((r) => r.figures[key]!).filter((v) => v !== undefined));
        summary.medians[name] = medians;
      }
      summaries.push(summary);
    }
  } finally {
    for (const broker of kept.values()) await broker.stop();
    await postgres?.stop();
  }
  return summaries;
}
