import type { Metric, Scenario } from '../scenario.js';
import { anonymousClients, createStormUsers, runConnectStorm, type StormClient } from './connect-storm.js';
import { runFlow } from './flow.js';
import { runLatency } from './latency.js';
import { runMemory } from './memory.js';
import { runQos1 } from './qos1.js';
import { runRetained } from './retained.js';

const m = (key: string, label: string, unit: string, higherIsBetter: boolean): Metric => ({ key, label, unit, higherIsBetter });
const cpu = [m('brokerCpuPercent', 'broker CPU', '% of a core', false), m('generatorCpuPercent', 'generator CPU', '% of a core', false)];

/** Scenarios 1-8 of issue 8, in order. */
export const scenarios: Scenario[] = [
  {
    id: 'fan-in',
    title: '1. fan-in: 100 publishers -> 1 wildcard subscriber, QoS 0',
    ours: 'memory',
    metrics: [m('deliveredPerSecond', 'delivered', 'msg/s', true), ...cpu],
    run: (c) => runFlow(c, { publishers: c.options.fanInPublishers, subscribers: 1, topic: (i) => `bench/fan-in/${i}`, filter: 'bench/fan-in/+', openLoop: false }),
  },
  {
    id: 'fan-out',
    title: '2. fan-out: 1 publisher -> 100 subscribers, QoS 0',
    ours: 'memory',
    metrics: [m('deliveredPerSecond', 'deliveries', 'msg/s', true), ...cpu],
    run: (c) => runFlow(c, { publishers: 1, subscribers: c.options.fanOutSubscribers, topic: () => 'bench/fan-out', filter: 'bench/fan-out', openLoop: false }),
  },
  {
    id: 'qos1',
    title: '3a. QoS 1: 10 publishers x 10 in flight -> 1 subscriber (clean sessions)',
    ours: 'memory',
    metrics: [m('messagesPerSecond', 'messages', 'msg/s', true), m('latencyP50Ms', 'p50', 'ms', false), m('latencyP99Ms', 'p99', 'ms', false), ...cpu],
    run: (c) => runQos1(c, false),
  },
  {
    id: 'qos1-durable',
    title: '3b. QoS 1 to a persistent subscriber (ours: Postgres, committed before PUBACK)',
    ours: 'postgres',
    metrics: [m('messagesPerSecond', 'messages', 'msg/s', true), m('latencyP50Ms', 'p50', 'ms', false), m('latencyP99Ms', 'p99', 'ms', false), ...cpu],
    run: (c) => runQos1(c, true),
  },
  {
    id: 'connect',
    title: '4a. connect storm: 5,000 anonymous clients',
    ours: 'memory',
    metrics: [m('connectsPerSecond', 'connects', '/s', true), m('latencyP99Ms', 'p99 connect', 'ms', false), m('failed', 'failed', '', false), ...cpu],
    run: (c) => runConnectStorm(c.broker.target, c.broker.pid, anonymousClients(c.options.connectClients), c.options.connectConcurrency),
  },
  {
    id: 'connect-auth',
    title: '4b. connect storm with credentials (argon2id in Postgres): first time, then reconnect (5,000)',
    ours: 'postgres-auth',
    oursOnly: true,
    metrics: [
      m('firstConnectsPerSecond', 'first time', '/s', true),
      m('firstLatencyP99Ms', 'first time p99', 'ms', false),
      m('reconnectsPerSecond', 'reconnect', '/s', true),
      m('reconnectLatencyP99Ms', 'reconnect p99', 'ms', false),
      m('failed', 'failed', '', false),
    ],
    // One set of never-seen credentials per round, warm-up rounds included.
    prepare: (postgres, options) => createStormUsers(postgres!, options.authClients, options.rounds + options.warmupRounds),
    async run(c) {
      const clients = (c.prepared as StormClient[][])[c.round - 1 + c.options.warmupRounds]!;
      const first = await runConnectStorm(c.broker.target, c.broker.pid, clients, c.options.connectConcurrency);
      // Reconnect: the same (now cached) credentials, cycled up to the storm's size.
      const cycled = Array.from({ length: Math.max(clients.length, c.options.connectClients) }, (_, i) => clients[i % clients.length]!);
      const again = await runConnectStorm(c.broker.target, c.broker.pid, cycled, c.options.connectConcurrency);
      return {
        firstConnectsPerSecond: first.connectsPerSecond!,
        firstLatencyP99Ms: first.latencyP99Ms!,
        reconnectsPerSecond: again.connectsPerSecond!,
        reconnectLatencyP99Ms: again.latencyP99Ms!,
        failed: first.failed! + first.refused! + again.failed! + again.refused!,
      };
    },
  },
  {
    id: 'latency',
    title: '5. latency: 1 publisher -> 1 subscriber at 1,000 msg/s, QoS 0',
    ours: 'memory',
    metrics: [m('latencyP50Ms', 'p50', 'ms', false), m('latencyP99Ms', 'p99', 'ms', false), m('latencyP999Ms', 'p99.9', 'ms', false), ...cpu],
    run: (c) => runLatency(c),
  },
  {
    id: 'memory-5k',
    title: '6a. memory: RSS per idle connection, 5,000 clients',
    ours: 'memory',
    freshBrokerPerRound: true,
    metrics: [m('kbPerConnection', 'per connection', 'KB', false), m('connections', 'held', '', true), m('closedDuringHold', 'dropped', '', false)],
    run: (c) => runMemory(c, c.options.memoryClients[0] ?? 5000),
  },
  {
    id: 'memory-50k',
    title: '6b. memory: RSS per idle connection, 50,000 clients (capped by the file descriptor limit)',
    ours: 'memory',
    freshBrokerPerRound: true,
    metrics: [m('kbPerConnection', 'per connection', 'KB', false), m('connections', 'held', '', true), m('closedDuringHold', 'dropped', '', false)],
    run: (c) => runMemory(c, c.options.memoryClients[1] ?? 50000),
  },
  {
    id: 'retained',
    title: '7. retained: subscribe to # over 100,000 retained topics',
    ours: 'memory',
    metrics: [m('secondsToReceiveAll', 'time to all', 's', false), m('retainedReceived', 'received', '', true), ...cpu],
    run: (c) => runRetained(c),
  },
  {
    id: 'overload',
    title: '8. overload: 100 publishers with no window -> 1 wildcard subscriber, QoS 0',
    ours: 'memory',
    metrics: [m('deliveredPerSecond', 'delivered', 'msg/s', true), m('rssMaxMB', 'max RSS', 'MB', false), m('rssEndMB', 'end RSS', 'MB', false), ...cpu],
    run: (c) => runFlow(c, { publishers: c.options.fanInPublishers, subscribers: 1, topic: (i) => `bench/overload/${i}`, filter: 'bench/overload/+', openLoop: true }),
  },
];
