import { createAclEvaluator, DEFAULT_ACL_DEFAULTS, ruleAppliesTo, validateAclRule, type AclDecision, type AclDefaults, type AclPrincipal, type AclRule, type Qos } from '@repo/acl';
import { ControlChannel } from '@repo/control';
import type { AclRule as AclRuleRow } from '@repo/db';
import { ApiError, ApiErrors } from '../../lib/api-error.js';
import type { AuditLog } from '../../lib/audit.js';
import type { ControlNotifier } from '../../lib/control.js';
import { actorName, type Actor } from '../../lib/roles.js';
import { decodeCursor, encodeCursor } from '../../lib/schemas.js';
import { toAclRule, type AclRuleData, type AclRuleRepository } from './acl-rules.repository.js';
import type { ConnectedClientRepository } from './connected-clients.repository.js';

/** One connected client a proposed rule would affect. */
export interface AffectedClient {
  clientId: string;
  username: string | null;
  node: string;
  /** The rule is for this client and covers publishing (to topics matching its filter). */
  publish: boolean;
  /** Its subscriptions whose authorization the rule would change. */
  subscriptions: Array<{ topicFilter: string; qos: number; before: { allowed: boolean; ruleId: string | null }; after: { allowed: boolean; ruleId: string | null } }>;
  /** False for a clean-session client: its subscriptions are held by the broker only, so the rule may affect them unseen. */
  subscriptionsKnown: boolean;
}

/** Id the proposed rule gets in evaluation (never a real rule's: those are UUIDs). */
const PROPOSED_RULE_ID = 'proposed';

export interface AclRuleInput {
  subjectKind: 'user' | 'group' | 'everyone';
  subject?: string | null;
  action: 'publish' | 'subscribe' | 'all';
  topic: string;
  permission: 'allow' | 'deny';
  qos?: number[];
  retain?: boolean | null;
  priority?: number;
  description?: string | null;
}

/** Rows are validated on the way in, so their strings hold these literals. */
export interface AclRuleView extends Omit<AclRuleData, 'subjectKind' | 'action' | 'permission'> {
  id: string;
  subjectKind: AclRuleInput['subjectKind'];
  action: AclRuleInput['action'];
  permission: AclRuleInput['permission'];
  createdAt: string;
  updatedAt: string;
}

function toView(row: AclRuleRow): AclRuleView {
  return {
    id: row.id,
    subjectKind: row.subjectKind as AclRuleInput['subjectKind'],
    subject: row.subject,
    action: row.action as AclRuleInput['action'],
    topic: row.topic,
    permission: row.permission as AclRuleInput['permission'],
    qos: row.qos,
    retain: row.retain,
    priority: row.priority,
    description: row.description,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toData(input: AclRuleInput): AclRuleData {
  return {
    subjectKind: input.subjectKind,
    subject: input.subjectKind === 'everyone' ? null : (input.subject ?? null),
    action: input.action,
    topic: input.topic,
    permission: input.permission,
    qos: input.qos ?? [],
    retain: input.retain ?? null,
    priority: input.priority ?? 1000,
    description: input.description ?? null,
  };
}

/** The JSON Pointer of the body member a @repo/acl problem is about. */
function pointerOf(problem: string): string {
  if (problem.startsWith('who.')) return '/subject';
  const member = /^(topic|qos|priority|retain|action|permission)\b/.exec(problem)?.[1];
  return member ? `/${member}` : '';
}

/** Refuses a rule the broker would not apply as written (400 naming the failing field). */
function validate(data: AclRuleData): void {
  const problems: Array<{ pointer: string; detail: string }> = [];
  if (data.subjectKind !== 'everyone' && !data.subject) problems.push({ pointer: '/subject', detail: `subject is required when subjectKind is "${data.subjectKind}"` });
  const rule = toAclRule({ ...data, id: 'candidate' });
  if (rule) for (const detail of validateAclRule(rule)) problems.push({ pointer: pointerOf(detail), detail });
  if (problems.length > 0) {
    throw new ApiError(ApiErrors.validation, `Invalid ACL rule: ${problems.map((p) => `${p.pointer || '/'}: ${p.detail}`).join('; ')}`, {
      extensions: { errors: problems.map((p) => ({ in: 'body', ...p })) },
    });
  }
}

export function createAclRuleService(deps: { repo: AclRuleRepository; control: ControlNotifier; audit: AuditLog; defaults?: AclDefaults; clients?: ConnectedClientRepository }) {
  const { repo, control, audit } = deps;
  const defaults = deps.defaults ?? DEFAULT_ACL_DEFAULTS;

  async function getRow(ruleId: string): Promise<AclRuleRow> {
    const row = await repo.find(ruleId);
    if (!row) throw new ApiError(ApiErrors.notFound, `No ACL rule with id ${ruleId}.`, { extensions: { ruleId } });
    return row;
  }

  return {
    async create(actor: Actor, input: AclRuleInput): Promise<AclRuleView> {
      const data = toData(input);
      validate(data);
      const view = toView(await repo.create(data));
      await audit.record({ actor: actorName(actor), action: 'acl-rule.create', resourceType: 'acl-rule', resourceId: view.id, after: view });
      await control.notify(ControlChannel.aclChanged);
      return view;
    },

    /** By ascending priority (the evaluation order), then id. */
    async list(query: { limit?: number; cursor?: string }): Promise<{ items: AclRuleView[]; nextCursor: string | null }> {
      const limit = query.limit ?? 50;
      let after: { priority: number; id: string } | undefined;
      if (query.cursor !== undefined) {
        const [priority, id] = decodeCursor(query.cursor).split(':', 2);
        if (!priority || !id || !Number.isInteger(Number(priority))) throw new ApiError(ApiErrors.badRequest, 'Invalid cursor.');
        after = { priority: Number(priority), id };
      }
      const rows = await repo.list({ limit: limit + 1, ...(after ? { after } : {}) });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return { items: page.map(toView), nextCursor: rows.length > limit && last ? encodeCursor(`${last.priority}:${last.id}`) : null };
    },

    async get(ruleId: string): Promise<AclRuleView> {
      return toView(await getRow(ruleId));
    },

    async update(actor: Actor, ruleId: string, changes: Partial<AclRuleInput>): Promise<AclRuleView> {
      const before = toView(await getRow(ruleId));
      const merged = toData({ ...(before as unknown as AclRuleInput), ...changes });
      validate(merged);
      const after = toView(await repo.update(ruleId, merged));
      await audit.record({ actor: actorName(actor), action: 'acl-rule.update', resourceType: 'acl-rule', resourceId: ruleId, before, after });
      await control.notify(ControlChannel.aclChanged);
      return after;
    },

    async remove(actor: Actor, ruleId: string): Promise<void> {
      const before = toView(await getRow(ruleId));
      await repo.remove(ruleId);
      await audit.record({ actor: actorName(actor), action: 'acl-rule.delete', resourceType: 'acl-rule', resourceId: ruleId, before });
      await control.notify(ControlChannel.aclChanged);
    },

    /** Sets the evaluation order: `ids` must list every rule once; priorities become 10, 20, 30, ... */
    async reorder(actor: Actor, ids: string[]): Promise<{ items: AclRuleView[] }> {
      const result = await repo.reorder(ids);
      if ('missing' in result) {
        const parts = [
          result.missing.length > 0 ? `${result.missing.length} rule(s) missing from ids (${result.missing.slice(0, 5).join(', ')}${result.missing.length > 5 ? ', ...' : ''})` : '',
          result.unknown.length > 0 ? `${result.unknown.length} unknown id(s) (${result.unknown.slice(0, 5).join(', ')}${result.unknown.length > 5 ? ', ...' : ''})` : '',
        ].filter(Boolean);
        throw new ApiError(ApiErrors.conflict, `ids must list every ACL rule exactly once: ${parts.join('; ')}. Reload the rules and try again.`, {
          extensions: { field: 'ids', missing: result.missing, unknown: result.unknown },
        });
      }
      const before = result.before.map((row) => ({ id: row.id, priority: row.priority }));
      const after = result.after.map((row) => ({ id: row.id, priority: row.priority }));
      await audit.record({ actor: actorName(actor), action: 'acl-rule.reorder', resourceType: 'acl-rule', resourceId: null, before: { order: before }, after: { order: after } });
      await control.notify(ControlChannel.aclChanged);
      return { items: result.after.map(toView) };
    },

    /**
     * Which connected clients a proposed rule would affect: those it is for and whose publishing
     * it covers, and those whose current subscriptions it would allow or deny differently (the
     * broker's own evaluation, with and without the rule). Nothing is written.
     */
    async affected(input: AclRuleInput, limit: number): Promise<{ items: AffectedClient[]; total: number; truncated: boolean }> {
      const data = toData(input);
      validate(data);
      const proposed = toAclRule({ ...data, id: PROPOSED_RULE_ID }) as AclRule;
      const rules = (await repo.all()).map(toAclRule).filter((rule) => rule !== null);
      const without = createAclEvaluator(rules, defaults);
      const withRule = createAclEvaluator([...rules, proposed], defaults);
      const items: AffectedClient[] = [];
      let total = 0;
      for await (const client of deps.clients?.all() ?? []) {
        const principal: AclPrincipal =
          client.username === null
            ? { clientId: client.clientId, anonymous: true }
            : { clientId: client.clientId, username: client.username, groups: client.groups, superuser: client.superuser };
        if (!ruleAppliesTo(proposed, principal) || (client.superuser && client.username !== null)) continue;
        const publish = proposed.action !== 'subscribe';
        const subscriptions: AffectedClient['subscriptions'] = [];
        if (proposed.action !== 'publish') {
          for (const sub of client.subscriptions ?? []) {
            const request = { principal, action: 'subscribe' as const, topic: sub.topicFilter, qos: Math.min(2, Math.max(0, sub.qos)) as Qos };
            const before = without.decide(request);
            const after = withRule.decide(request);
            if (before.allowed !== after.allowed) {
              subscriptions.push({ topicFilter: sub.topicFilter, qos: sub.qos, before: { allowed: before.allowed, ruleId: before.ruleId }, after: { allowed: after.allowed, ruleId: after.ruleId } });
            }
          }
        }
        const subscriptionsKnown = client.subscriptions !== null;
        if (!publish && subscriptions.length === 0 && subscriptionsKnown) continue;
        total += 1;
        if (items.length < limit) items.push({ clientId: client.clientId, username: client.username, node: client.node, publish, subscriptions, subscriptionsKnown });
      }
      return { items, total, truncated: total > items.length };
    },

    /** What the broker would decide, from the rules in the database and the configured defaults. */
    async explain(request: { username?: string; clientId: string; action: 'publish' | 'subscribe'; topic: string; qos?: Qos; retain?: boolean }): Promise<AclDecision> {
      const rules = (await repo.all()).map(toAclRule).filter((rule) => rule !== null);
      const user = request.username === undefined ? null : await repo.findUser(request.username);
      const principal =
        request.username === undefined
          ? { clientId: request.clientId, anonymous: true }
          : { clientId: request.clientId, username: request.username, groups: user?.groups ?? [], superuser: user?.superuser ?? false };
      const decision = createAclEvaluator(rules, defaults).decide({
        principal,
        action: request.action,
        topic: request.topic,
        qos: request.qos ?? 0,
        ...(request.retain !== undefined ? { retain: request.retain } : {}),
      });
      return { allowed: decision.allowed, ruleId: decision.ruleId, reason: decision.reason };
    },
  };
}

export type AclRuleService = ReturnType<typeof createAclRuleService>;
