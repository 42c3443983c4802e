import { Prisma, type Credential, type MqttUser, type PrismaClient } from '@repo/db';

export interface UserChanges {
  enabled?: boolean;
  superuser?: boolean;
  groups?: string[];
  description?: string | null;
}

/** MQTT users and their credentials in Postgres. */
export function createMqttUserRepository(db: PrismaClient) {
  return {
    create: (data: { username: string; enabled?: boolean; superuser?: boolean; groups?: string[]; description?: string | null }): Promise<MqttUser> =>
      db.mqttUser.create({ data }),
    /** Ordered by username; `after` is exclusive; `prefix` filters by username prefix. */
    list: (opts: { limit: number; after?: string; prefix?: string }): Promise<MqttUser[]> => {
      const where: Prisma.MqttUserWhereInput = {};
      const username: Prisma.StringFilter = {};
      if (opts.prefix !== undefined) username.startsWith = opts.prefix;
      if (opts.after !== undefined) username.gt = opts.after;
      if (Object.keys(username).length > 0) where.username = username;
      return db.mqttUser.findMany({ where, orderBy: { username: 'asc' }, take: opts.limit });
    },
    find: (id: string): Promise<MqttUser | null> => db.mqttUser.findUnique({ where: { id } }),
    update: (id: string, data: UserChanges): Promise<MqttUser> => db.mqttUser.update({ where: { id }, data }),
    remove: async (id: string): Promise<void> => {
      await db.mqttUser.delete({ where: { id } });
    },
    createCredential: (data: { userId: string; label: string | null; secretHash: string; clientIdPattern: string | null; expiresAt: Date | null }): Promise<Credential> =>
      db.credential.create({ data }),
    listCredentials: (userId: string): Promise<Credential[]> => db.credential.findMany({ where: { userId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
    findCredential: (userId: string, id: string): Promise<Credential | null> => db.credential.findFirst({ where: { id, userId } }),
    revokeCredential: (id: string): Promise<Credential> => db.credential.update({ where: { id }, data: { revoked: true } }),
    removeCredential: async (id: string): Promise<void> => {
      await db.credential.delete({ where: { id } });
    },
  };
}

export type MqttUserRepository = ReturnType<typeof createMqttUserRepository>;

/** True for a unique-constraint violation (Prisma P2002). */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}
