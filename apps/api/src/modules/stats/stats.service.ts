import type { StatsSample } from '@repo/db';
import { ApiError, ApiErrors } from '../../lib/api-error.js';
import type { StatsRepository } from './stats.repository.js';

const NUMERIC = ['connections', 'sessions', 'subscriptions', 'retained', 'queued', 'inflight', 'dropped', 'messagesIn', 'messagesOut', 'bytesIn', 'bytesOut', 'messagesInRate', 'messagesOutRate'] as const;
type Numeric = (typeof NUMERIC)[number];
export type StatsTotals = Record<Numeric, number>;

export interface NodeStats extends StatsTotals {
  node: string;
  startedAt: string;
  uptimeSeconds: number;
  version: string;
}

export interface SeriesPoint {
  at: string;
  connections: number;
  subscriptions: number;
  retained: number;
  queued: number;
  dropped: number;
  messagesInRate: number;
  messagesOutRate: number;
}

/** A node whose newest sample is older than this is not listed by GET /stats (stopped, or not sampling). */
export const NODE_STALE_AFTER_MS = 10 * 60_000;

function toNode(row: StatsSample): NodeStats {
  return {
    node: row.node,
    startedAt: row.startedAt.toISOString(),
    uptimeSeconds: Math.max(0, Math.floor((row.at.getTime() - row.startedAt.getTime()) / 1000)),
    version: row.version,
    connections: row.connections,
    sessions: row.sessions,
    subscriptions: row.subscriptions,
    retained: row.retained,
    queued: row.queued,
    inflight: row.inflight,
    dropped: Number(row.dropped),
    messagesIn: Number(row.messagesIn),
    messagesOut: Number(row.messagesOut),
    bytesIn: Number(row.bytesIn),
    bytesOut: Number(row.bytesOut),
    messagesInRate: row.messagesInRate,
    messagesOutRate: row.messagesOutRate,
  };
}

/** Bucket width of a series: at least 10 s (the default sampling interval), at most ~360 points. */
export function seriesStep(minutes: number): number {
  return Math.max(10, Math.ceil((minutes * 60) / 360));
}

/** Broker statistics from the samples the brokers write to Postgres: no call reaches a broker. */
export function createStatsService(deps: { repo: StatsRepository; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  return {
    async current(): Promise<{ at: string; nodes: NodeStats[]; totals: StatsTotals }> {
      const rows = await deps.repo.latestPerNode(new Date(now().getTime() - NODE_STALE_AFTER_MS));
      const nodes = rows.map(toNode);
      const totals = Object.fromEntries(NUMERIC.map((field) => [field, nodes.reduce((sum, n) => sum + n[field], 0)])) as StatsTotals;
      const newest = rows.reduce<Date | undefined>((max, r) => (max === undefined || r.at > max ? r.at : max), undefined);
      return { at: (newest ?? now()).toISOString(), nodes, totals };
    },

    /** Points over the last `minutes`, one per bucket, summed over nodes (each node's last sample in the bucket). */
    async series(query: { minutes?: number; stepSeconds?: number }): Promise<{ stepSeconds: number; points: SeriesPoint[] }> {
      const minutes = query.minutes ?? 60;
      const step = query.stepSeconds ?? seriesStep(minutes);
      const rows = await deps.repo.series(new Date(now().getTime() - minutes * 60_000), step);
      const points = new Map<bigint, SeriesPoint>();
      for (const row of rows) {
        let point = points.get(row.bucket);
        if (!point) {
          point = { at: new Date(Number(row.bucket) * step * 1000).toISOString(), connections: 0, subscriptions: 0, retained: 0, queued: 0, dropped: 0, messagesInRate: 0, messagesOutRate: 0 };
          points.set(row.bucket, point);
        }
        point.connections += row.connections;
        point.subscriptions += row.subscriptions;
        point.retained += row.retained;
        point.queued += row.queued;
        point.dropped += Number(row.dropped);
        point.messagesInRate += row.messagesInRate;
        point.messagesOutRate += row.messagesOutRate;
      }
      return { stepSeconds: step, points: [...points.values()] };
    },

    async sys(node?: string): Promise<{ node: string; at: string; topics: Record<string, string> }> {
      const row = await deps.repo.sysSnapshot(node);
      if (!row) {
        throw new ApiError(ApiErrors.notFound, node === undefined ? 'No broker has stored a $SYS snapshot yet.' : `No $SYS snapshot for node ${node}.`, node === undefined ? {} : { extensions: { node } });
      }
      const topics: Record<string, string> = {};
      for (const [topic, value] of Object.entries((row.topics ?? {}) as Record<string, unknown>)) if (typeof value === 'string') topics[topic] = value;
      return { node: row.node, at: row.at.toISOString(), topics };
    },
  };
}

export type StatsService = ReturnType<typeof createStatsService>;
