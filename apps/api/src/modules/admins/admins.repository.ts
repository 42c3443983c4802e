import { Prisma, type Admin, type PrismaClient } from '@repo/db';

export interface AdminChanges {
  role?: string;
  passwordHash?: string;
  disabled?: boolean;
}

/** Admins in Postgres. Changes that could leave no enabled admin run under a row lock. */
export function createAdminRepository(db: PrismaClient) {
  /**
   * Locks the enabled admins with role admin (SELECT ... FOR UPDATE), so that two concurrent
   * changes cannot each leave the other as "the last admin" and then both go through.
   */
  async function lockActiveAdmins(tx: Prisma.TransactionClient): Promise<string[]> {
    const rows = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM admins WHERE role = 'admin' AND NOT disabled ORDER BY id FOR UPDATE`;
    return rows.map((row) => row.id);
  }

  return {
    create: (data: { username: string; passwordHash: string; role: string }): Promise<Admin> => db.admin.create({ data }),
    /** Ordered by username; `after` is exclusive. */
    list: (opts: { limit: number; after?: string }): Promise<Admin[]> =>
      db.admin.findMany({ where: opts.after === undefined ? {} : { username: { gt: opts.after } }, orderBy: { username: 'asc' }, take: opts.limit }),
    find: (id: string): Promise<Admin | null> => db.admin.findUnique({ where: { id } }),

    /**
     * Applies `changes` unless the admin is the last enabled admin and would stop being one
     * (`guard` returns false then). A password change or disabling also ends the admin's console sessions.
     */
    update: (id: string, changes: AdminChanges, guard: (activeAdminIds: string[], before: Admin) => boolean): Promise<{ before: Admin; after: Admin } | 'not-found' | 'last-admin'> =>
      db.$transaction(async (tx) => {
        const active = await lockActiveAdmins(tx);
        const before = await tx.admin.findUnique({ where: { id } });
        if (!before) return 'not-found' as const;
        if (!guard(active, before)) return 'last-admin' as const;
        const after = await tx.admin.update({ where: { id }, data: changes });
        if (changes.passwordHash !== undefined || changes.disabled === true) await tx.adminSession.deleteMany({ where: { adminId: id } });
        return { before, after };
      }),

    remove: (id: string, guard: (activeAdminIds: string[], before: Admin) => boolean): Promise<Admin | 'not-found' | 'last-admin'> =>
      db.$transaction(async (tx) => {
        const active = await lockActiveAdmins(tx);
        const before = await tx.admin.findUnique({ where: { id } });
        if (!before) return 'not-found' as const;
        if (!guard(active, before)) return 'last-admin' as const;
        await tx.admin.delete({ where: { id } });
        return before;
      }),
  };
}

export type AdminRepository = ReturnType<typeof createAdminRepository>;
