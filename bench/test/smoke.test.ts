/**
 * Every benchmark scenario starts against our broker at a tiny size and produces its figures.
 * No performance assertion: a benchmark is not a test; this only keeps the harness working.
 */
import { describe, expect, it } from 'vitest';
import { quickOptions } from '../src/options.js';
import { runScenarios } from '../src/runner.js';
import { scenarios } from '../src/scenarios/index.js';

/** Per scenario, a figure that is above 0 only if the scenario really moved messages or connections. */
const progress: Record<string, string> = {
  'fan-in': 'deliveredPerSecond',
  'fan-out': 'deliveredPerSecond',
  qos1: 'messagesPerSecond',
  'qos1-durable': 'messagesPerSecond',
  connect: 'connectsPerSecond',
  'connect-auth': 'reconnectsPerSecond',
  latency: 'deliveredPerSecond',
  'memory-5k': 'connections',
  'memory-50k': 'connections',
  retained: 'retainedReceived',
  overload: 'deliveredPerSecond',
};

describe('benchmark scenarios at a tiny size against our broker', () => {
  it('each scenario runs one round and reports its figures', async () => {
    const summaries = await runScenarios({
      options: { ...quickOptions, seconds: 0.5, latencySeconds: 0.5, memoryHoldSeconds: 0.5 },
      scenarios,
      brokers: ['ours'],
      reuseBrokers: true,
      log: () => {},
    });
    expect(summaries.map((s) => s.scenario.id)).toEqual(scenarios.map((s) => s.id));
    for (const summary of summaries) {
      const round = summary.rounds[0]!;
      const id = summary.scenario.id;
      expect(round.error, `${id}: ${round.error}`).toBeUndefined();
      for (const metric of summary.scenario.metrics) {
        expect(Number.isFinite(round.figures[metric.key]), `${id} ${metric.key} in ${JSON.stringify(round.figures)}`).toBe(true);
      }
      expect(round.figures[progress[id]!], `${id} ${progress[id]} in ${JSON.stringify(round.figures)}`).toBeGreaterThan(0);
    }
  }, 180_000);

  it('warm-up rounds run first and are not recorded (connect-auth gets a fresh credential set for them)', async () => {
    const picked = scenarios.filter((s) => s.id === 'connect' || s.id === 'connect-auth');
    const summaries = await runScenarios({
      options: { ...quickOptions, warmupRounds: 1, rounds: 1, authClients: 5, connectClients: 50 },
      scenarios: picked,
      brokers: ['ours'],
      reuseBrokers: true,
      log: () => {},
    });
    for (const summary of summaries) {
      expect(summary.rounds.map((r) => r.round), summary.scenario.id).toEqual([1]);
      const round = summary.rounds[0]!;
      expect(round.error, `${summary.scenario.id}: ${round.error}`).toBeUndefined();
      expect(round.figures[progress[summary.scenario.id]!]).toBeGreaterThan(0);
    }
    // connect-auth picks its credential set by round, warm-up included: a wrong index fails the round.
    expect(summaries.find((s) => s.scenario.id === 'connect-auth')!.rounds[0]!.figures.failed).toBe(0);
  }, 180_000);
});
