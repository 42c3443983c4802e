import type { PrismaClient, SessionPolicy } from '@repo/db';

/** The limits of a policy as stored (null inherits). */
export interface SessionPolicyData {
  sessionExpiryMax: number | null;
  maxQueued: number | null;
  queueQos0: boolean | null;
  dropPolicy: string | null;
  maxInflight: number | null;
  maxPacketSize: number | null;
  keepAliveMax: number | null;
}

export type TargetType = 'default' | 'user' | 'group';

/** The name the default policy is stored under. */
export const DEFAULT_TARGET_NAME = '*';

function toRow(data: Partial<SessionPolicyData>) {
  const { sessionExpiryMax, ...rest } = data;
  return { ...rest, ...(sessionExpiryMax === undefined ? {} : { sessionExpiryMax: sessionExpiryMax === null ? null : BigInt(sessionExpiryMax) }) };
}

/** Session policies in Postgres (the rows the brokers load). */
export function createSessionPolicyRepository(db: PrismaClient) {
  return {
    findDefault: (): Promise<SessionPolicy | null> => db.sessionPolicy.findUnique({ where: { targetType_targetName: { targetType: 'default', targetName: DEFAULT_TARGET_NAME } } }),
    upsertDefault: (data: SessionPolicyData): Promise<SessionPolicy> =>
      db.sessionPolicy.upsert({
        where: { targetType_targetName: { targetType: 'default', targetName: DEFAULT_TARGET_NAME } },
        create: { targetType: 'default', targetName: DEFAULT_TARGET_NAME, ...toRow(data) },
        update: toRow(data),
      }),
    find: (id: string): Promise<SessionPolicy | null> => db.sessionPolicy.findFirst({ where: { id, targetType: { in: ['user', 'group'] } } }),
    findByTarget: (targetType: TargetType, targetName: string): Promise<SessionPolicy | null> => db.sessionPolicy.findUnique({ where: { targetType_targetName: { targetType, targetName } } }),
    create: (targetType: 'user' | 'group', targetName: string, data: SessionPolicyData): Promise<SessionPolicy> => db.sessionPolicy.create({ data: { targetType, targetName, ...toRow(data) } }),
    update: (id: string, data: Partial<SessionPolicyData>): Promise<SessionPolicy> => db.sessionPolicy.update({ where: { id }, data: toRow(data) }),
    remove: async (id: string): Promise<void> => {
      await db.sessionPolicy.delete({ where: { id } });
    },
    /** Overrides ordered by (type, name), after the cursor position. */
    list: (opts: { limit: number; after?: { targetType: string; targetName: string }; targetType?: 'user' | 'group'; name?: string }): Promise<SessionPolicy[]> =>
      db.sessionPolicy.findMany({
        where: {
          AND: [
            opts.targetType ? { targetType: opts.targetType } : { targetType: { in: ['user', 'group'] } },
            ...(opts.name !== undefined ? [{ targetName: { contains: opts.name } }] : []),
            ...(opts.after
              ? [{ OR: [{ targetType: { gt: opts.after.targetType } }, { targetType: opts.after.targetType, targetName: { gt: opts.after.targetName } }] }]
              : []),
          ],
        },
        orderBy: [{ targetType: 'asc' }, { targetName: 'asc' }],
        take: opts.limit,
      }),
  };
}

export type SessionPolicyRepository = ReturnType<typeof createSessionPolicyRepository>;
