/** Markdown for the side-by-side table and the targets of issue 8. */
import os from 'node:os';
import type { BrokerName } from './brokers.js';
import type { ScenarioSummary } from './runner.js';
import type { BenchOptions } from './scenario.js';

const fmt = (value: number | undefined): string => {
  if (value === undefined || Number.isNaN(value)) return '-';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return String(Math.round(value * 100) / 100);
};

/** A run whose load generator used this much of a core may measure the generator, not the broker. */
export const GENERATOR_BOUND_PERCENT = 90;
export const GENERATOR_BOUND_MARK = '‡';

const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined || !b || Number.isNaN(a) || Number.isNaN(b) ? '-' : `${(a / b).toFixed(2)}x`);

export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} x ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}, Node ${process.version}`;
}

export function markdownTable(summaries: ScenarioSummary[]): string {
  const all: BrokerName[] = ['ours', 'mosquitto', 'aedes', 'external'];
  const present = all.filter((b) => summaries.some((s) => s.brokers.includes(b)));
  const versions = new Map<BrokerName, string>();
  for (const s of summaries) for (const b of present) if (s.versions[b] && b !== 'ours') versions.set(b, s.versions[b]!);
  const head = present.map((b) => (versions.get(b) ? `${b} ${versions.get(b)}` : b));
  const others = present.filter((b) => b !== 'ours');
  const lines = [`| scenario | figure | ${head.join(' | ')} | ${others.map((b) => `ours / ${b}`).join(' | ')} |`, `|---|---|${present.map(() => '---:').join('|')}|${others.map(() => '---:').join('|')}|`];
  for (const s of summaries) {
    s.scenario.metrics.forEach((metric, i) => {
      const cells = present.map((b) => {
        if (!s.brokers.includes(b)) return 'n/a';
        const bound = i === 0 && (s.medians[b]?.generatorCpuPercent ?? 0) >= GENERATOR_BOUND_PERCENT;
        return `${fmt(s.medians[b]?.[metric.key])}${bound ? ` ${GENERATOR_BOUND_MARK}` : ''}`;
      });
      const ratios = others.map((b) => (s.brokers.includes(b) ? ratio(s.medians.ours?.[metric.key], s.medians[b]?.[metric.key]) : '-'));
      lines.push(`| ${i === 0 ? s.scenario.title : ''} | ${metric.label}${metric.unit ? ` (${metric.unit})` : ''} | ${cells.join(' | ')} | ${ratios.join(' | ')} |`);
    });
  }
  if (summaries.some((s) => present.some((b) => (s.medians[b]?.generatorCpuPercent ?? 0) >= GENERATOR_BOUND_PERCENT))) {
    lines.push('', `${GENERATOR_BOUND_MARK} the load generator used ${GENERATOR_BOUND_PERCENT} % of a core or more in this run (median): the figure may be the generator's limit rather than the broker's.`);
  }
  return lines.join('\n');
}

export interface TargetCheck {
  target: string;
  ours: string;
  reference: string;
  met: boolean | undefined;
}

export function checkTargets(summaries: ScenarioSummary[]): TargetCheck[] {
  const get = (id: string, broker: BrokerName, key: string): number | undefined => {
    const value = summaries.find((s) => s.scenario.id === id)?.medians[broker]?.[key];
    return value === undefined || Number.isNaN(value) ? undefined : value;
  };
  const checks: TargetCheck[] = [];
  const bound = (id: string, broker: BrokerName): string => ((get(id, broker, 'generatorCpuPercent') ?? 0) >= GENERATOR_BOUND_PERCENT ? ` ${GENERATOR_BOUND_MARK}` : '');
  const atLeast = (target: string, ours: number | undefined, reference: number | undefined, factor: number, refLabel: string, refId?: string): void => {
    checks.push({
      target,
      ours: fmt(ours),
      reference: reference === undefined ? '-' : `${fmt(reference * factor)} (${factor === 1 ? '' : `${factor} x `}${refLabel} ${fmt(reference)}${refId ? bound(refId, 'mosquitto') : ''})`,
      met: ours === undefined || reference === undefined ? undefined : ours >= reference * factor,
    });
  };
  atLeast('fan-in QoS 0 >= Mosquitto', get('fan-in', 'ours', 'deliveredPerSecond'), get('fan-in', 'mosquitto', 'deliveredPerSecond'), 1, 'mosquitto', 'fan-in');
  atLeast('fan-out QoS 0 >= Mosquitto', get('fan-out', 'ours', 'deliveredPerSecond'), get('fan-out', 'mosquitto', 'deliveredPerSecond'), 1, 'mosquitto', 'fan-out');
  atLeast('QoS 1 clean >= Mosquitto', get('qos1', 'ours', 'messagesPerSecond'), get('qos1', 'mosquitto', 'messagesPerSecond'), 1, 'mosquitto', 'qos1');
  atLeast('QoS 1 durable >= 40% of Mosquitto in memory', get('qos1-durable', 'ours', 'messagesPerSecond'), get('qos1', 'mosquitto', 'messagesPerSecond'), 0.4, 'mosquitto clean', 'qos1');
  atLeast('connect storm anonymous >= Mosquitto', get('connect', 'ours', 'connectsPerSecond'), get('connect', 'mosquitto', 'connectsPerSecond'), 1, 'mosquitto', 'connect');
  atLeast('reconnect with cached credentials >= 50% of Mosquitto', get('connect-auth', 'ours', 'reconnectsPerSecond'), get('connect', 'mosquitto', 'connectsPerSecond'), 0.5, 'mosquitto anonymous', 'connect');
  const p99 = get('latency', 'ours', 'latencyP99Ms');
  const mp99 = get('latency', 'mosquitto', 'latencyP99Ms');
  checks.push({ target: 'p99 latency at 1,000 msg/s <= 2 x Mosquitto', ours: `${fmt(p99)} ms`, reference: mp99 === undefined ? '-' : `${fmt(mp99 * 2)} ms (mosquitto ${fmt(mp99)} ms)`, met: p99 === undefined || mp99 === undefined ? undefined : p99 <= mp99 * 2 });
  for (const id of ['memory-5k', 'memory-50k']) {
    const kb = get(id, 'ours', 'kbPerConnection');
    const held = get(id, 'ours', 'connections');
    const requested = get(id, 'ours', 'requested');
    const reachable = get(id, 'ours', 'reachable') ?? requested;
    const dropped = get(id, 'ours', 'closedDuringHold');
    checks.push({
      target: `${id}: <= 4 KB per idle connection, all held`,
      ours: `${fmt(kb)} KB, ${fmt(held)} of ${fmt(requested)} held${reachable !== requested ? ` (${fmt(reachable)}: the file descriptor limit of one process here)` : ''}, ${fmt(dropped)} dropped`,
      reference: '4 KB',
      met: kb === undefined ? undefined : kb <= 4 && dropped === 0 && held === reachable,
    });
  }
  const overload = get('overload', 'ours', 'deliveredPerSecond');
  const closed = get('fan-in', 'ours', 'deliveredPerSecond');
  const rssMax = get('overload', 'ours', 'rssMaxMB');
  checks.push({
    target: 'overload delivers >= 80% of the closed-loop (fan-in) rate, memory bounded',
    ours: `${fmt(overload)} msg/s, max RSS ${fmt(rssMax)} MB`,
    reference: closed === undefined ? '-' : `${fmt(closed * 0.8)} msg/s (0.8 x fan-in ${fmt(closed)})`,
    met: overload === undefined || closed === undefined ? undefined : overload >= closed * 0.8 && (rssMax ?? 0) < 512,
  });
  return checks;
}

export function markdownReport(summaries: ScenarioSummary[], options: BenchOptions, startedAt: Date, finishedAt: Date): string {
  const checks = checkTargets(summaries);
  return [
    `Benchmark run ${startedAt.toISOString()} - ${finishedAt.toISOString()} on ${machineLine()}.`,
    `Medians of ${options.rounds} rounds after ${options.warmupRounds} unrecorded warm-up round(s) per broker (none where each round starts a fresh broker), brokers alternating each round; ${options.seconds} s measured per throughput run, ${options.payloadBytes}-byte payloads.`,
    '',
    markdownTable(summaries),
    '',
    '| target | ours | needed | met |',
    '|---|---|---|---|',
    ...checks.map((c) => `| ${c.target} | ${c.ours} | ${c.reference} | ${c.met === undefined ? 'n/a' : c.met ? 'yes' : 'no'} |`),
    '',
  ].join('\n');
}
