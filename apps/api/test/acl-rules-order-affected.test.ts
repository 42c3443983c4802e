import { ControlChannel } from '@repo/control';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, listen, setupApi, type ApiTestContext } from './api-helper.js';

interface Rule {
  id: string;
  priority: number;
  topic: string;
}

describe('PUT /api/v1/acl-rules/order', () => {
  let ctx: ApiTestContext;
  let operator: Record<string, string>;
  const rules: Rule[] = [];
  beforeAll(async () => {
    ctx = await setupApi('acl_order');
    operator = bearer(ctx.tokens.operator);
    for (const topic of ['a/#', 'b/#', 'c/#']) {
      const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/acl-rules', headers: operator, payload: { subjectKind: 'everyone', action: 'all', topic, permission: 'allow' } });
      rules.push(response.json() as Rule);
    }
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('sets priorities 10, 20, 30 in the given order, audits it and tells the brokers', async () => {
    const notifications = await listen(ctx.databaseUrl, ControlChannel.aclChanged);
    try {
      const ids = [rules[2]!.id, rules[0]!.id, rules[1]!.id];
      const response = await ctx.app.inject({ method: 'PUT', url: '/api/v1/acl-rules/order', headers: operator, payload: { ids } });
      expect(response.statusCode, response.body).toBe(200);
      const items = (response.json() as { items: Rule[] }).items;
      expect(items.map((r) => [r.topic, r.priority])).toEqual([['c/#', 10], ['a/#', 20], ['b/#', 30]]);
      await notifications.next();
      const listed = (await ctx.app.inject({ method: 'GET', url: '/api/v1/acl-rules', headers: bearer(ctx.tokens.viewer) })).json() as { items: Rule[] };
      expect(listed.items.map((r) => r.id)).toEqual(ids);
      const audit = await ctx.db.auditEvent.findFirstOrThrow({ where: { action: 'acl-rule.reorder' } });
      expect(audit.after).toEqual({ order: ids.map((id, i) => ({ id, priority: (i + 1) * 10 })) });
    } finally {
      await notifications.stop();
    }
  });

  it('refuses a list that is not exactly the current rules (409 naming missing and unknown ids)', async () => {
    const stranger = '00000000-0000-4000-8000-000000000000';
    const response = await ctx.app.inject({ method: 'PUT', url: '/api/v1/acl-rules/order', headers: operator, payload: { ids: [rules[0]!.id, rules[1]!.id, stranger] } });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'API_ERR_CONFLICT', missing: [rules[2]!.id], unknown: [stranger] });
    const unchanged = await ctx.db.aclRule.findUniqueOrThrow({ where: { id: rules[0]!.id } });
    expect(unchanged.priority).toBe(20);
  });

  it('validates: duplicates, non-UUIDs, empty lists, unknown fields, viewer role', async () => {
    for (const payload of [{ ids: [rules[0]!.id, rules[0]!.id] }, { ids: ['x'] }, { ids: [] }, { ids: [rules[0]!.id], force: true }]) {
      const response = await ctx.app.inject({ method: 'PUT', url: '/api/v1/acl-rules/order', headers: operator, payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
    }
    expect((await ctx.app.inject({ method: 'PUT', url: '/api/v1/acl-rules/order', headers: bearer(ctx.tokens.viewer), payload: { ids: [rules[0]!.id] } })).statusCode).toBe(403);
  });
});

describe('GET /api/v1/acl-rules/affected', () => {
  let ctx: ApiTestContext;
  let allowSensorsId: string;
  beforeAll(async () => {
    ctx = await setupApi('acl_affected');
    const operator = bearer(ctx.tokens.operator);
    for (const user of [{ username: 'sensor-a', groups: ['sensors'] }, { username: 'sensor-b', groups: ['sensors'] }, { username: 'ops', groups: ['staff'] }, { username: 'root', superuser: true, groups: ['sensors'] }]) {
      await ctx.app.inject({ method: 'POST', url: '/api/v1/mqtt-users', headers: operator, payload: user });
    }
    const rule = await ctx.app.inject({ method: 'POST', url: '/api/v1/acl-rules', headers: operator, payload: { subjectKind: 'group', subject: 'sensors', action: 'subscribe', topic: 'cmd/#', permission: 'allow' } });
    allowSensorsId = (rule.json() as { id: string }).id;
    // What the broker writes for connected clients: presence rows, and for persistent sessions
    // the session and its subscriptions.
    const presence = (clientId: string, username: string | null) => ({
      clientId,
      node: 'node-1',
      username,
      protocolVersion: 5,
      keepAlive: 60,
      cleanStart: username === 'sensor-b',
      sessionExpiryInterval: 3600n,
      connectedAt: new Date(),
    });
    await ctx.db.clientPresence.createMany({ data: [presence('dev-a', 'sensor-a'), presence('dev-b', 'sensor-b'), presence('ops-1', 'ops'), presence('root-1', 'root'), presence('anon-1', null)] });
    for (const clientId of ['dev-a', 'ops-1', 'root-1', 'anon-1']) {
      await ctx.db.session.create({ data: { clientId, protocolVersion: 5, expiryInterval: 3600n, nodeId: 'node-1' } });
    }
    await ctx.db.subscription.createMany({
      data: [
        { sessionClientId: 'dev-a', topicFilter: 'cmd/dev-a', qos: 1 },
        { sessionClientId: 'dev-a', topicFilter: 'status/#', qos: 0 },
        { sessionClientId: 'ops-1', topicFilter: 'cmd/#', qos: 1 },
        { sessionClientId: 'root-1', topicFilter: 'cmd/#', qos: 1 },
      ],
    });
    // Offline: not affected whatever the rule.
    await ctx.db.session.create({ data: { clientId: 'dev-offline', protocolVersion: 5, expiryInterval: 3600n, username: 'sensor-a', disconnectedAt: new Date() } });
    await ctx.db.subscription.create({ data: { sessionClientId: 'dev-offline', topicFilter: 'cmd/x', qos: 1 } });
  });
  afterAll(async () => {
    await ctx?.close();
  });

  interface Affected {
    items: Array<{ clientId: string; publish: boolean; subscriptionsKnown: boolean; subscriptions: Array<{ topicFilter: string; before: { allowed: boolean; ruleId: string | null }; after: { allowed: boolean; ruleId: string | null } }> }>;
    total: number;
    truncated: boolean;
  }
  const affected = async (query: string): Promise<Affected> => {
    const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/acl-rules/affected?${query}`, headers: bearer(ctx.tokens.viewer) });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as Affected;
  };

  it('a deny ahead of an allow: lists the subscriptions it would deny, and clean-session clients it is for', async () => {
    const body = await affected('subjectKind=group&subject=sensors&action=subscribe&topic=cmd%2F%23&permission=deny&priority=1');
    expect(body.items.map((c) => c.clientId)).toEqual(['dev-a', 'dev-b']);
    const devA = body.items[0]!;
    expect(devA).toMatchObject({ publish: false, subscriptionsKnown: true });
    expect(devA.subscriptions).toEqual([{ topicFilter: 'cmd/dev-a', qos: 1, before: { allowed: true, ruleId: allowSensorsId }, after: { allowed: false, ruleId: 'proposed' } }]);
    // sensor-b is a clean session: its subscriptions are not in Postgres.
    expect(body.items[1]).toMatchObject({ clientId: 'dev-b', subscriptionsKnown: false, subscriptions: [] });
    expect(body).toMatchObject({ total: 2, truncated: false });
  });

  it('a rule shadowed by an earlier one changes nothing for persistent sessions', async () => {
    const body = await affected('subjectKind=group&subject=sensors&action=subscribe&topic=cmd%2F%23&permission=deny&priority=5000');
    expect(body.items.map((c) => c.clientId)).toEqual(['dev-b']);
  });

  it('publish rules list every connected client they are for (anonymous ones only for everyone; never superusers)', async () => {
    const everyone = await affected('subjectKind=everyone&action=publish&topic=status%2F%23&permission=allow');
    expect(everyone.items.map((c) => c.clientId)).toEqual(['anon-1', 'dev-a', 'dev-b', 'ops-1']);
    expect(everyone.items.every((c) => c.publish)).toBe(true);
    const user = await affected('subjectKind=user&subject=ops&action=all&topic=cmd%2F%23&permission=deny&qos=1,2&limit=1');
    expect(user.items).toHaveLength(1);
    expect(user.items[0]).toMatchObject({ clientId: 'ops-1', publish: true });
    expect((await affected('subjectKind=everyone&action=publish&topic=x&permission=allow&limit=2'))).toMatchObject({ total: 4, truncated: true });
  });

  it('validates the proposed rule like a real one (400 naming the field)', async () => {
    for (const query of [
      'subjectKind=group&action=subscribe&topic=cmd%2F%23&permission=deny',
      'subjectKind=everyone&action=subscribe&topic=cmd%2F%23%2Fx&permission=deny',
      'subjectKind=everyone&action=jump&topic=a&permission=deny',
      'subjectKind=everyone&action=publish&topic=a&permission=deny&qos=3',
      'subjectKind=everyone&action=publish&topic=a&permission=deny&limit=5000',
      'subjectKind=everyone&action=publish&topic=a&permission=deny&extra=1',
    ]) {
      const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/acl-rules/affected?${query}`, headers: bearer(ctx.tokens.viewer) });
      expect(response.statusCode, query).toBe(400);
      expect(response.json().code).toBe('API_ERR_VALIDATION');
    }
    const missingSubject = await ctx.app.inject({ method: 'GET', url: '/api/v1/acl-rules/affected?subjectKind=group&action=subscribe&topic=a&permission=deny', headers: bearer(ctx.tokens.viewer) });
    expect(missingSubject.json().errors[0].pointer).toBe('/subject');
  });
});
