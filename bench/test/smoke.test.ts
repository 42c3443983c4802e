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
});
