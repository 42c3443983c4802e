import type { PrismaClient, StatsSample, SysSnapshot } from '@repo/db';

/** One bucket of the series: a node's last sample in it. */
export interface SeriesRow {
  bucket: bigint;
  node: string;
  connections: number;
  subscriptions: number;
  retained: number;
  queued: number;
  dropped: bigint;
  messagesInRate: number;
  messagesOutRate: number;
}

/** Stats samples and $SYS snapshots the brokers write (observability/stats-sampler.ts). */
export function createStatsRepository(db: PrismaClient) {
  return {
    /** Each node's newest sample taken since `since`. */
    latestPerNode: (since: Date): Promise<StatsSample[]> =>
      db.statsSample.findMany({ where: { at: { gte: since } }, distinct: ['node'], orderBy: [{ node: 'asc' }, { at: 'desc' }] }),
    /** Per node, the last sample of each `stepSeconds` bucket since `since`. */
    series: (since: Date, stepSeconds: number): Promise<SeriesRow[]> => db.$queryRaw<SeriesRow[]>`
      SELECT DISTINCT ON (bucket, node)
        floor(extract(epoch FROM at) / ${stepSeconds})::bigint AS bucket, node, connections, subscriptions, retained, queued, dropped,
        messages_in_rate AS "messagesInRate", messages_out_rate AS "messagesOutRate"
      FROM stats_samples
      WHERE at >= ${since}
      ORDER BY bucket, node, at DESC`,
    sysSnapshot: (node?: string): Promise<SysSnapshot | null> =>
      node === undefined ? db.sysSnapshot.findFirst({ orderBy: { at: 'desc' } }) : db.sysSnapshot.findUnique({ where: { node } }),
  };
}

export type StatsRepository = ReturnType<typeof createStatsRepository>;
