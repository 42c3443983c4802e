/**
 * Every benchmark scenario starts against our broker at a tiny size and produces its figure.
 * No performance assertion: a benchmark is not a test; this only keeps the harness working.
 */
import { describe, expect, it } from 'vitest';
import { quickOptions } from '../src/options.js';
import { runScenarios } from '../src/runner.js';
import { scenarios } from '../src/scenarios/index.js';

describe('benchmark scenarios at a tiny size against our broker', () => {
  it('each scenario runs one round and reports its first figure', async () => {
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
      expect(round.error, `${summary.scenario.id}: ${round.error}`).toBeUndefined();
      const primary = summary.scenario.metrics[0]!.key;
      expect(round.figures[primary], `${summary.scenario.id} ${primary}`).toBeGreaterThan(0);
    }
  }, 180_000);
});
