import type { Ban, PrismaClient } from '@repo/db';

/** Bans in Postgres (the rows the brokers load). */
export function createBanRepository(db: PrismaClient) {
  return {
    create: (data: { kind: string; value: string; reason: string | null; expiresAt: Date | null }): Promise<Ban> => db.ban.create({ data }),
    list: (opts: { limit: number; after?: { createdAt: Date; id: string }; kind?: string }): Promise<Ban[]> =>
      db.ban.findMany({
        where: {
          ...(opts.kind !== undefined ? { kind: opts.kind } : {}),
          ...(opts.after ? { OR: [{ createdAt: { lt: opts.after.createdAt } }, { createdAt: opts.after.createdAt, id: { lt: opts.after.id } }] } : {}),
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: opts.limit,
      }),
    find: (id: string): Promise<Ban | null> => db.ban.findUnique({ where: { id } }),
    remove: async (id: string): Promise<void> => {
      await db.ban.delete({ where: { id } });
    },
  };
}

export type BanRepository = ReturnType<typeof createBanRepository>;
