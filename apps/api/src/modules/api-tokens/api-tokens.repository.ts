import type { Admin, ApiToken, PrismaClient } from '@repo/db';

/** Admins and their API tokens in Postgres. */
export function createIdentityRepository(db: PrismaClient) {
  return {
    countAdmins: (): Promise<number> => db.admin.count(),
    createAdmin: (data: { username: string; passwordHash: string; role: string }): Promise<Admin> => db.admin.create({ data }),
    findAdminByUsername: (username: string): Promise<Admin | null> => db.admin.findUnique({ where: { username } }),
    createToken: (data: { adminId: string; name: string; tokenHash: string; role: string; expiresAt: Date | null }): Promise<ApiToken> =>
      db.apiToken.create({ data }),
    findTokenByHash: (tokenHash: string): Promise<(ApiToken & { admin: Admin }) | null> =>
      db.apiToken.findUnique({ where: { tokenHash }, include: { admin: true } }),
    touchToken: async (id: string, at: Date): Promise<void> => {
      await db.apiToken.updateMany({ where: { id }, data: { lastUsedAt: at } });
    },
    listTokens: (): Promise<ApiToken[]> => db.apiToken.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
    findToken: (id: string): Promise<ApiToken | null> => db.apiToken.findUnique({ where: { id } }),
    deleteToken: async (id: string): Promise<boolean> => (await db.apiToken.deleteMany({ where: { id } })).count > 0,
  };
}

export type IdentityRepository = ReturnType<typeof createIdentityRepository>;
