import type { AclRule, AclRuleAction, AclSubject, Qos } from '@repo/acl';
import type { AclRule as AclRuleRow, PrismaClient } from '@repo/db';

/** A stored rule in @repo/acl's shape; null (skipped) when the row is not a valid rule. */
export function toAclRule(row: AclRuleRow): AclRule | null {
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

/** All ACL rules, in @repo/acl's shape (invalid rows are skipped and reported). */
export async function loadAclRules(db: Pick<PrismaClient, 'aclRule'>, onInvalid: (id: string) => void = () => {}): Promise<AclRule[]> {
  const rows = await db.aclRule.findMany();
  const rules: AclRule[] = [];
  for (const row of rows) {
    const rule = toAclRule(row);
    if (rule) rules.push(rule);
    else onInvalid(row.id);
  }
  return rules;
}
