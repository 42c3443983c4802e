import type { BrokerName, Postgres, RunningBroker } from './brokers.js';

/** Sizes and durations of every scenario (flags and BENCH_* environment variables). */
export interface BenchOptions {
  rounds: number;
  /**
   * Unrecorded rounds each broker runs first, per scenario (not for scenarios with a fresh broker
   * per round): a JIT-compiled broker (ours, Aedes) is measured warm, as in a long-running deployment.
   */
  warmupRounds: number;
  /** Measured seconds of the throughput scenarios (after a warm-up). */
  seconds: number;
  payloadBytes: number;
  fanInPublishers: number;
  fanOutSubscribers: number;
  /** Closed loop: messages outstanding (sent, not yet delivered) at most, all publishers together. */
  window: number;
  qos1Publishers: number;
  qos1Window: number;
  connectClients: number;
  connectConcurrency: number;
  authClients: number;
  latencyRate: number;
  latencySeconds: number;
  memoryClients: number[];
  memoryHoldSeconds: number;
  retainedTopics: number;
}

export interface Metric {
  key: string;
  label: string;
  unit: string;
  higherIsBetter: boolean;
}

export type Figures = Record<string, number>;

export interface RunContext {
  broker: RunningBroker;
  /** 1..rounds; warm-up rounds are numbered 0 and below. */
  round: number;
  options: BenchOptions;
  /** What `prepare` returned (shared by every round and broker). */
  prepared: unknown;
  log: (line: string) => void;
}

export interface Scenario {
  id: string;
  title: string;
  /** How our broker runs for it: in memory, on Postgres (durability sync), or on Postgres with anonymous access off. */
  ours: 'memory' | 'postgres' | 'postgres-auth';
  /** Only our broker (e.g. credentials checked against Postgres). */
  oursOnly?: boolean;
  /** A new broker process for every round (memory figures). */
  freshBrokerPerRound?: boolean;
  metrics: Metric[];
  prepare?(postgres: Postgres | undefined, options: BenchOptions): Promise<unknown>;
  run(context: RunContext): Promise<Figures>;
}

export type { BrokerName };
