import type { Prisma, PrismaClient, Trace, TraceEvent } from '@repo/db';

export interface TraceEventQuery {
  traceId: string;
  afterSeq?: number;
  limit: number;
  type?: string;
  clientId?: string;
  messageId?: string;
}

/** Traces and their events in Postgres (brokers write the events; the API reads them). */
export function createTraceRepository(db: PrismaClient) {
  return {
    create: (data: Prisma.TraceCreateInput): Promise<Trace> => db.trace.create({ data }),
    find: (id: string): Promise<Trace | null> => db.trace.findUnique({ where: { id } }),
    /** Newest first. */
    list: (opts: { limit: number; after?: { startedAt: Date; id: string }; status?: string }): Promise<Trace[]> =>
      db.trace.findMany({
        where: {
          ...(opts.status !== undefined ? { status: opts.status } : {}),
          ...(opts.after ? { OR: [{ startedAt: { lt: opts.after.startedAt } }, { startedAt: opts.after.startedAt, id: { lt: opts.after.id } }] } : {}),
        },
        orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
        take: opts.limit,
      }),
    /** Running traces past their end time become expired (brokers do it too; this covers none running). */
    expireEnded: async (): Promise<void> => {
      await db.trace.updateMany({ where: { status: 'running', endsAt: { lte: new Date() } }, data: { status: 'expired' } });
    },
    stop: async (id: string, at: Date): Promise<Trace | null> => {
      const { count } = await db.trace.updateMany({ where: { id, status: 'running' }, data: { status: 'stopped', stoppedAt: at } });
      return count === 0 ? null : db.trace.findUnique({ where: { id } });
    },
    remove: async (id: string): Promise<void> => {
      await db.trace.delete({ where: { id } });
    },
    events: (q: TraceEventQuery): Promise<TraceEvent[]> =>
      db.traceEvent.findMany({
        where: {
          traceId: q.traceId,
          ...(q.afterSeq !== undefined ? { seq: { gt: q.afterSeq } } : {}),
          ...(q.type !== undefined ? { type: q.type } : {}),
          ...(q.clientId !== undefined ? { clientId: q.clientId } : {}),
          ...(q.messageId !== undefined ? { messageId: q.messageId } : {}),
        },
        orderBy: { seq: 'asc' },
        take: q.limit,
      }),
  };
}

export type TraceRepository = ReturnType<typeof createTraceRepository>;
