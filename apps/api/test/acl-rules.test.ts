import { ControlChannel } from '@repo/control';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, listen, setupApi, type ApiTestContext } from './api-helper.js';

describe('/api/v1/acl-rules', () => {
  let ctx: ApiTestContext;
  let operator: Record<string, string>;
  let viewer: Record<string, string>;
  beforeAll(async () => {
    ctx = await setupApi('acl', { aclDefaults: { publish: 'deny', subscribe: 'allow' } });
    operator = bearer(ctx.tokens.operator);
    viewer = bearer(ctx.tokens.viewer);
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('CRUD with audit and aclChanged NOTIFY; viewers read only', async () => {
    const notifications = await listen(ctx.databaseUrl, ControlChannel.aclChanged);
    try {
      const payload = { subjectKind: 'user', subject: 'sensor-1', action: 'publish', topic: 'sensors/${username}/#', permission: 'allow', qos: [0, 1], priority: 10 };
      expect((await ctx.app.inject({ method: 'POST', url: '/api/v1/acl-rules', headers: viewer, payload })).statusCode).toBe(403);
      const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/acl-rules', headers: operator, payload });
      expect(created.statusCode, created.body).toBe(201);
      const rule = created.json() as { id: string; retain: null; description: null };
      expect(rule).toMatchObject({ ...payload, retain: null, description: null });
      expect(await notifications.next()).toBe('');

      const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/acl-rules', headers: viewer });
      expect((list.json() as { items: Array<{ id: string }> }).items.map((r) => r.id)).toContain(rule.id);
      expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/acl-rules/${rule.id}`, headers: viewer })).json()).toEqual(rule);

      const patched = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/acl-rules/${rule.id}`, headers: operator, payload: { permission: 'deny', retain: true } });
      expect(patched.statusCode, patched.body).toBe(200);
      expect(patched.json()).toMatchObject({ permission: 'deny', retain: true, topic: payload.topic });
      await notifications.next();

      const del = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/acl-rules/${rule.id}`, headers: operator });
      expect(del.statusCode).toBe(204);
      await notifications.next();
      expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/acl-rules/${rule.id}`, headers: viewer })).statusCode).toBe(404);
      const actions = (await ctx.db.auditEvent.findMany({ where: { resourceId: rule.id }, orderBy: { at: 'asc' } })).map((e) => e.action);
      expect(actions).toEqual(['acl-rule.create', 'acl-rule.update', 'acl-rule.delete']);
    } finally {
      await notifications.stop();
    }
  });

  it('keeps false, 0 and null as sent in a JSON body (bodies are validated, never coerced)', async () => {
    const base = { subjectKind: 'everyone', action: 'publish', topic: 'coerce/#', permission: 'allow' };
    const noRetain = await ctx.app.inject({ method: 'POST', url: '/api/v1/acl-rules', headers: operator, payload: { ...base, retain: false, qos: [0] } });
    expect(noRetain.statusCode, noRetain.body).toBe(201);
    expect(noRetain.json()).toMatchObject({ retain: false, qos: [0] });
    const anyRetain = await ctx.app.inject({ method: 'POST', url: '/api/v1/acl-rules', headers: operator, payload: { ...base, retain: null } });
    expect(anyRetain.json()).toMatchObject({ retain: null });
    const text = await ctx.app.inject({ method: 'POST', url: '/api/v1/acl-rules', headers: operator, payload: { ...base, retain: 'false' } });
    expect(text.statusCode).toBe(400);
    // Query strings are text and still coerced.
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/acl-rules?limit=1', headers: viewer })).statusCode).toBe(200);
    for (const created of [noRetain, anyRetain]) {
      const { id } = created.json() as { id: string };
      expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/acl-rules/${id}`, headers: operator })).statusCode).toBe(204);
    }
  });

  it('refuses invalid rules with a 400 problem naming the field', async () => {
    const cases = [
      [{ subjectKind: 'user', action: 'publish', topic: 'a/#', permission: 'allow' }, '/subject'],
      [{ subjectKind: 'everyone', action: 'publish', topic: 'a/#/b', permission: 'allow' }, '/topic'],
      [{ subjectKind: 'everyone', action: 'subscribe', topic: 'eq a/+x', permission: 'deny' }, '/topic'],
      [{ subjectKind: 'everyone', action: 'publish', topic: 'a', permission: 'maybe' }, '/permission'],
      [{ subjectKind: 'everyone', action: 'publish', topic: 'a', permission: 'allow', qos: [3] }, '/qos/0'],
      [{ subjectKind: 'everyone', action: 'publish', topic: 'a', permission: 'allow', extra: 1 }, ''],
    ] as const;
    for (const [payload, pointer] of cases) {
      const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/acl-rules', headers: operator, payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      const body = response.json() as { code: string; errors: Array<{ pointer: string }> };
      expect(body.code).toBe('API_ERR_VALIDATION');
      if (pointer) expect(body.errors.map((e) => e.pointer), JSON.stringify(payload)).toContain(pointer);
    }
    expect(await ctx.db.aclRule.count()).toBe(0);
  });

  it('explain uses the stored rules, groups, superusers and the configured defaults', async () => {
    await ctx.db.mqttUser.create({ data: { username: 'grouped', groups: ['sensors'] } });
    await ctx.db.mqttUser.create({ data: { username: 'root', superuser: true } });
    const create = (payload: object) => ctx.app.inject({ method: 'POST', url: '/api/v1/acl-rules', headers: operator, payload });
    const deny = (await create({ subjectKind: 'group', subject: 'sensors', action: 'publish', topic: 'sensors/secret', permission: 'deny', priority: 1 })).json() as { id: string };
    const allow = (await create({ subjectKind: 'group', subject: 'sensors', action: 'publish', topic: 'sensors/#', permission: 'allow', priority: 2 })).json() as { id: string };
    const explain = async (payload: object) => {
      const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/acl-rules/explain', headers: viewer, payload });
      expect(response.statusCode, response.body).toBe(200);
      return response.json() as { allowed: boolean; ruleId: string | null; reason: string };
    };
    expect(await explain({ username: 'grouped', clientId: 'c1', action: 'publish', topic: 'sensors/t' })).toEqual({ allowed: true, ruleId: allow.id, reason: 'rule' });
    expect(await explain({ username: 'grouped', clientId: 'c1', action: 'publish', topic: 'sensors/secret', qos: 1 })).toEqual({ allowed: false, ruleId: deny.id, reason: 'rule' });
    expect(await explain({ username: 'other', clientId: 'c2', action: 'publish', topic: 'sensors/t' })).toEqual({ allowed: false, ruleId: null, reason: 'default' });
    expect(await explain({ clientId: 'anon', action: 'subscribe', topic: 'x/#' })).toEqual({ allowed: true, ruleId: null, reason: 'default' });
    expect(await explain({ username: 'root', clientId: 'r', action: 'publish', topic: 'any' })).toEqual({ allowed: true, ruleId: null, reason: 'superuser' });
    expect(await explain({ username: 'root', clientId: 'r', action: 'publish', topic: '$SYS/x' })).toMatchObject({ allowed: false, reason: 'sys-topic' });
    const invalid = await ctx.app.inject({ method: 'POST', url: '/api/v1/acl-rules/explain', headers: viewer, payload: { clientId: 'c', action: 'connect', topic: 'a' } });
    expect(invalid.statusCode).toBe(400);
  });
});
