import type { AclRule, AclRuleAction, AclSubject, Qos } from '@repo/acl';
import type { AclRule as AclRuleRow, MqttUser, PrismaClient } from '@repo/db';

export interface AclRuleData {
  subjectKind: string;
  subject: string | null;
  action: string;
  topic: string;
  permission: string;
  qos: number[];
  retain: boolean | null;
  priority: number;
  description: string | null;
}

/** ACL rules in Postgres (the rows the broker loads). */
export function createAclRuleRepository(db: PrismaClient) {
  return {
    create: (data: AclRuleData): Promise<AclRuleRow> => db.aclRule.create({ data }),
    list: (opts: { limit: number; after?: { priority: number; id: string } }): Promise<AclRuleRow[]> =>
      db.aclRule.findMany({
        where: opts.after ? { OR: [{ priority: { gt: opts.after.priority } }, { priority: opts.after.priority, id: { gt: opts.after.id } }] } : {},
        orderBy: [{ priority: 'asc' }, { id: 'asc' }],
        take: opts.limit,
      }),
    all: (): Promise<AclRuleRow[]> => db.aclRule.findMany(),
    find: (id: string): Promise<AclRuleRow | null> => db.aclRule.findUnique({ where: { id } }),
    update: (id: string, data: AclRuleData): Promise<AclRuleRow> => db.aclRule.update({ where: { id }, data }),
    remove: async (id: string): Promise<void> => {
      await db.aclRule.delete({ where: { id } });
    },
    findUser: (username: string): Promise<MqttUser | null> => db.mqttUser.findUnique({ where: { username } }),

    /**
     * Gives the rules priorities 10, 20, 30, ... in the order of `ids`, which must name every
     * rule exactly once. The rules are locked first, so a rule created or deleted concurrently
     * makes one of the two requests see the other's result.
     */
    reorder: (ids: readonly string[]): Promise<{ before: AclRuleRow[]; after: AclRuleRow[] } | { missing: string[]; unknown: string[] }> =>
      db.$transaction(async (tx) => {
        const locked = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM acl_rules ORDER BY id FOR UPDATE`;
        const current = new Set(locked.map((row) => row.id));
        const wanted = new Set(ids);
        const missing = [...current].filter((id) => !wanted.has(id));
        const unknown = ids.filter((id) => !current.has(id));
        if (missing.length > 0 || unknown.length > 0) return { missing, unknown };
        const before = await tx.aclRule.findMany({ orderBy: [{ priority: 'asc' }, { id: 'asc' }] });
        await tx.$executeRaw`UPDATE acl_rules AS r SET priority = o.ord * 10, updated_at = now() FROM unnest(${[...ids]}::text[]) WITH ORDINALITY AS o(id, ord) WHERE r.id = o.id`;
        const after = await tx.aclRule.findMany({ orderBy: [{ priority: 'asc' }, { id: 'asc' }] });
        return { before, after };
      }),
  };
}

export type AclRuleRepository = ReturnType<typeof createAclRuleRepository>;

/** A stored rule in @repo/acl's shape, as the broker reads it (apps/broker/src/auth/acl-rule-store.ts); null when invalid. */
export function toAclRule(row: AclRuleData & { id: string }): AclRule | null {
  let who: AclSubject;
  if (row.subjectKind === 'everyone') who = { kind: 'everyone' };
  else if (row.subjectKind === 'user' && row.subject) who = { kind: 'user', username: row.subject };
  else if (row.subjectKind === 'group' && row.subject) who = { kind: 'group', group: row.subject };
  else return null;
  if (!['publish', 'subscribe', 'all'].includes(row.action)) return null;
  if (row.permission !== 'allow' && row.permission !== 'deny') return null;
  const rule: AclRule = { id: row.id, who, action: row.action as AclRuleAction, topic: row.topic, permission: row.permission, priority: row.priority };
  if (row.qos.length > 0) rule.qos = row.qos.filter((q): q is Qos => q === 0 || q === 1 || q === 2);
  if (row.retain !== null) rule.retain = row.retain;
  return rule;
}
