import type { BenchOptions } from './scenario.js';

/** Defaults of `npm run bench`: sizes from issue 8, durations so that the whole run fits in about 15 minutes. */
export const defaultOptions: BenchOptions = {
  rounds: 3,
  warmupRounds: 1,
  seconds: 4,
  payloadBytes: 64,
  fanInPublishers: 100,
  fanOutSubscribers: 100,
  window: 4000,
  qos1Publishers: 10,
  qos1Window: 10,
  connectClients: 5000,
  connectConcurrency: 100,
  authClients: 300,
  latencyRate: 1000,
  latencySeconds: 10,
  memoryClients: [5000, 50000],
  memoryHoldSeconds: 3,
  retainedTopics: 100_000,
};

/** Tiny sizes: checks that everything runs (the smoke test uses these). */
export const quickOptions: BenchOptions = {
  rounds: 1,
  warmupRounds: 0,
  seconds: 1,
  payloadBytes: 64,
  fanInPublishers: 10,
  fanOutSubscribers: 10,
  window: 400,
  qos1Publishers: 2,
  qos1Window: 5,
  connectClients: 100,
  connectConcurrency: 20,
  authClients: 20,
  latencyRate: 200,
  latencySeconds: 1,
  memoryClients: [100, 200],
  memoryHoldSeconds: 1,
  retainedTopics: 500,
};

