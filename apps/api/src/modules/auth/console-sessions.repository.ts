import type { Admin, AdminSession, PrismaClient } from '@repo/db';

/** Console sessions in Postgres (only the SHA-256 of each cookie value). */
export function createConsoleSessionRepository(db: PrismaClient) {
  return {
    create: (data: { adminId: string; sessionHash: string; csrfSecret: string; expiresAt: Date; maxExpiresAt: Date }): Promise<AdminSession> =>
      db.adminSession.create({ data }),
    findByHash: (sessionHash: string): Promise<(AdminSession & { admin: Admin }) | null> =>
      db.adminSession.findUnique({ where: { sessionHash }, include: { admin: true } }),
    touch: async (id: string, lastSeenAt: Date, expiresAt: Date): Promise<void> => {
      await db.adminSession.updateMany({ where: { id }, data: { lastSeenAt, expiresAt } });
    },
    remove: async (id: string): Promise<boolean> => (await db.adminSession.deleteMany({ where: { id } })).count > 0,
    removeExpired: async (now: Date): Promise<number> => (await db.adminSession.deleteMany({ where: { expiresAt: { lte: now } } })).count,
  };
}

export type ConsoleSessionRepository = ReturnType<typeof createConsoleSessionRepository>;
