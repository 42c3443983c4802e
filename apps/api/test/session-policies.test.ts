import { ControlChannel } from '@repo/control';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblemShape } from './helper.js';
import { bearer, listen, setupApi, type ApiTestContext } from './api-helper.js';

interface Override {
  id: string;
  target: { type: 'user' | 'group'; name: string };
  sessionExpiryMax: number | null;
  maxQueued: number | null;
  queueQos0: boolean | null;
  dropPolicy: string | null;
  maxInflight: number | null;
  maxPacketSize: number | null;
  keepAliveMax: number | null;
  createdAt: string;
  updatedAt: string;
}

const NULLS = { sessionExpiryMax: null, maxQueued: null, queueQos0: null, dropPolicy: null, maxInflight: null, maxPacketSize: null, keepAliveMax: null };

describe('/api/v1/session-policies', () => {
  let ctx: ApiTestContext;
  let operator: Record<string, string>;
  let viewer: Record<string, string>;
  beforeAll(async () => {
    ctx = await setupApi('policies');
    operator = bearer(ctx.tokens.operator);
    viewer = bearer(ctx.tokens.viewer);
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('default: viewers read it, operators replace it (fields left out become null); audited; NOTIFY policiesChanged', async () => {
    const notifications = await listen(ctx.databaseUrl, ControlChannel.policiesChanged);
    try {
      const empty = await ctx.app.inject({ method: 'GET', url: '/api/v1/session-policies/default', headers: viewer });
      expect(empty.statusCode).toBe(200);
      expect(empty.json()).toEqual({ ...NULLS, updatedAt: null });

      const denied = await ctx.app.inject({ method: 'PUT', url: '/api/v1/session-policies/default', headers: viewer, payload: { maxQueued: 5 } });
      expect(denied.statusCode).toBe(403);
      expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/session-policies/default' })).statusCode).toBe(401);

      const full = { sessionExpiryMax: 86400, maxQueued: 500, queueQos0: true, dropPolicy: 'drop-new', maxInflight: 20, maxPacketSize: 262144, keepAliveMax: 300 };
      const put = await ctx.app.inject({ method: 'PUT', url: '/api/v1/session-policies/default', headers: operator, payload: full });
      expect(put.statusCode, put.body).toBe(200);
      expect(put.json()).toMatchObject(full);
      expect(await notifications.next()).toBe('');

      const replaced = await ctx.app.inject({ method: 'PUT', url: '/api/v1/session-policies/default', headers: operator, payload: { maxQueued: 100 } });
      expect(replaced.json()).toMatchObject({ ...NULLS, maxQueued: 100 });
      expect(await notifications.next()).toBe('');
      const read = (await ctx.app.inject({ method: 'GET', url: '/api/v1/session-policies/default', headers: viewer })).json() as { updatedAt: string; maxQueued: number };
      expect(read.maxQueued).toBe(100);
      expect(Number.isNaN(Date.parse(read.updatedAt))).toBe(false);
      // The row the brokers load.
      const row = await ctx.db.sessionPolicy.findUniqueOrThrow({ where: { targetType_targetName: { targetType: 'default', targetName: '*' } } });
      expect(row.maxQueued).toBe(100);
      expect(row.sessionExpiryMax).toBeNull();
      const audits = await ctx.db.auditEvent.findMany({ where: { action: 'session-policy.default.update' }, orderBy: { at: 'asc' } });
      expect(audits).toHaveLength(2);
      expect(audits[1]!.before).toMatchObject({ maxQueued: 500, dropPolicy: 'drop-new' });
      expect(audits[1]!.after).toMatchObject({ maxQueued: 100, dropPolicy: null });
      expect(audits[1]!.actor).toContain('operator');
    } finally {
      await notifications.stop();
    }
  });

  it('overrides: create per user and per group, 409 for a second one on a target, list (paginated, filtered), read, patch, delete; each change audited and NOTIFYed', async () => {
    const notifications = await listen(ctx.databaseUrl, ControlChannel.policiesChanged);
    try {
      const created: Override[] = [];
      for (const payload of [
        { target: { type: 'user', name: 'sensor-1' }, maxQueued: 10, dropPolicy: 'drop-oldest' },
        { target: { type: 'user', name: 'sensor-2' }, keepAliveMax: 60 },
        { target: { type: 'group', name: 'fleet' }, sessionExpiryMax: 3600, maxInflight: 5 },
      ]) {
        const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/session-policies', headers: operator, payload });
        expect(response.statusCode, response.body).toBe(201);
        const body = response.json() as Override;
        expect(body).toMatchObject({ ...NULLS, ...payload });
        created.push(body);
        expect(await notifications.next()).toBe('');
      }
      const duplicate = await ctx.app.inject({ method: 'POST', url: '/api/v1/session-policies', headers: operator, payload: { target: { type: 'user', name: 'sensor-1' }, maxQueued: 1 } });
      expect(duplicate.statusCode).toBe(409);
      expectProblemShape(duplicate.json());
      expect(duplicate.json()).toMatchObject({ code: 'API_ERR_CONFLICT', errors: [{ pointer: '/target/name' }] });
      // Same name, other type: a different target.
      expect((await ctx.app.inject({ method: 'POST', url: '/api/v1/session-policies', headers: operator, payload: { target: { type: 'group', name: 'sensor-1' } } })).statusCode).toBe(201);
      await notifications.next();

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/api/v1/session-policies?limit=1${cursor ? `&cursor=${cursor}` : ''}`;
        const page = (await ctx.app.inject({ method: 'GET', url, headers: viewer })).json() as { items: Override[]; nextCursor: string | null };
        expect(page.items.length).toBeLessThanOrEqual(1);
        seen.push(...page.items.map((p) => `${p.target.type}:${p.target.name}`));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(['group:fleet', 'group:sensor-1', 'user:sensor-1', 'user:sensor-2']);
      const users = (await ctx.app.inject({ method: 'GET', url: '/api/v1/session-policies?targetType=user&name=2', headers: viewer })).json() as { items: Override[] };
      expect(users.items.map((p) => p.target.name)).toEqual(['sensor-2']);

      const [first] = created;
      const one = await ctx.app.inject({ method: 'GET', url: `/api/v1/session-policies/${first!.id}`, headers: viewer });
      expect(one.json()).toEqual(first);

      const patched = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/session-policies/${first!.id}`, headers: operator, payload: { maxQueued: null, queueQos0: true } });
      expect(patched.statusCode, patched.body).toBe(200);
      expect(patched.json()).toMatchObject({ maxQueued: null, queueQos0: true, dropPolicy: 'drop-oldest', target: { type: 'user', name: 'sensor-1' } });
      expect(await notifications.next()).toBe('');
      expect((await ctx.app.inject({ method: 'PATCH', url: `/api/v1/session-policies/${first!.id}`, headers: viewer, payload: { maxQueued: 1 } })).statusCode).toBe(403);

      expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/session-policies/${first!.id}`, headers: operator })).statusCode).toBe(204);
      expect(await notifications.next()).toBe('');
      const gone = await ctx.app.inject({ method: 'GET', url: `/api/v1/session-policies/${first!.id}`, headers: viewer });
      expect(gone.statusCode).toBe(404);
      expect(gone.json().code).toBe('API_ERR_NOT_FOUND');
      expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/session-policies/${first!.id}`, headers: operator })).statusCode).toBe(404);

      const actions = (await ctx.db.auditEvent.findMany({ where: { resourceType: 'session-policy', resourceId: first!.id }, orderBy: { at: 'asc' } })).map((a) => a.action);
      expect(actions).toEqual(['session-policy.create', 'session-policy.update', 'session-policy.delete']);
      // The default is not an override: it is not listed, read or deleted through /{id}.
      const defaultRow = await ctx.db.sessionPolicy.upsert({ where: { targetType_targetName: { targetType: 'default', targetName: '*' } }, create: { targetType: 'default', targetName: '*' }, update: {} });
      expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/session-policies/${defaultRow.id}`, headers: viewer })).statusCode).toBe(404);
      expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/session-policies/${defaultRow.id}`, headers: operator })).statusCode).toBe(404);
    } finally {
      await notifications.stop();
    }
  });

  it('keeps 0 and false as values, distinct from null (inherit)', async () => {
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/session-policies',
      headers: operator,
      payload: { target: { type: 'user', name: 'zeroes' }, maxQueued: 0, queueQos0: false, keepAliveMax: 0, sessionExpiryMax: 0, maxInflight: null },
    });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({ maxQueued: 0, queueQos0: false, keepAliveMax: 0, sessionExpiryMax: 0, maxInflight: null, dropPolicy: null });
    const row = await ctx.db.sessionPolicy.findUniqueOrThrow({ where: { targetType_targetName: { targetType: 'user', targetName: 'zeroes' } } });
    expect(row).toMatchObject({ maxQueued: 0, queueQos0: false, keepAliveMax: 0, sessionExpiryMax: 0n, maxInflight: null });
  });

  it('validates bodies with problem+json naming the failing field', async () => {
    const target = { type: 'user', name: 'v' };
    const cases: Array<[string, 'POST' | 'PUT', unknown, string]> = [
      ['/api/v1/session-policies', 'POST', { target, maxQueued: -1 }, '/maxQueued'],
      ['/api/v1/session-policies', 'POST', { target, maxQueued: 1.5 }, '/maxQueued'],
      ['/api/v1/session-policies', 'POST', { target, maxQueued: 'lots' }, '/maxQueued'],
      ['/api/v1/session-policies', 'POST', { target, maxInflight: 0 }, '/maxInflight'],
      ['/api/v1/session-policies', 'POST', { target, maxInflight: 70000 }, '/maxInflight'],
      ['/api/v1/session-policies', 'POST', { target, maxPacketSize: 10 }, '/maxPacketSize'],
      ['/api/v1/session-policies', 'POST', { target, keepAliveMax: 65536 }, '/keepAliveMax'],
      ['/api/v1/session-policies', 'POST', { target, sessionExpiryMax: 5_000_000_000 }, '/sessionExpiryMax'],
      ['/api/v1/session-policies', 'POST', { target, dropPolicy: 'drop-all' }, '/dropPolicy'],
      ['/api/v1/session-policies', 'POST', { target, queueQos0: 'maybe' }, '/queueQos0'],
      ['/api/v1/session-policies', 'POST', { target: { type: 'client', name: 'x' } }, '/target/type'],
      ['/api/v1/session-policies', 'POST', { target: { type: 'user', name: '' } }, '/target/name'],
      ['/api/v1/session-policies', 'POST', { target: { type: 'user', name: 'x'.repeat(257) } }, '/target/name'],
      ['/api/v1/session-policies', 'POST', { maxQueued: 1 }, '/target'],
      ['/api/v1/session-policies', 'POST', { target, extra: 1 }, ''],
      ['/api/v1/session-policies/default', 'PUT', { maxQueued: -5 }, '/maxQueued'],
      ['/api/v1/session-policies/default', 'PUT', { target }, ''],
    ];
    for (const [url, method, payload, pointer] of cases) {
      const response = await ctx.app.inject({ method, url, headers: operator, payload: payload as object });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      const body = response.json();
      expectProblemShape(body);
      expect(body.code).toBe('API_ERR_VALIDATION');
      if (pointer) expect(body.errors?.map((e) => e.pointer), JSON.stringify(payload)).toContain(pointer);
    }
    const created = (await ctx.app.inject({ method: 'POST', url: '/api/v1/session-policies', headers: operator, payload: { target: { type: 'group', name: 'valid' } } })).json() as Override;
    for (const payload of [{}, { target: { type: 'user', name: 'other' } }, { maxQueued: -1 }]) {
      const response = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/session-policies/${created.id}`, headers: operator, payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
    }
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/session-policies/not-a-uuid', headers: viewer })).statusCode).toBe(400);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/session-policies/00000000-0000-4000-8000-000000000000', headers: viewer })).statusCode).toBe(404);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/session-policies?limit=101', headers: viewer })).statusCode).toBe(400);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/session-policies?cursor=bm9wZQ', headers: viewer })).statusCode).toBe(400);
    // Nothing invalid reached the table.
    expect(await ctx.db.sessionPolicy.count({ where: { targetName: 'v' } })).toBe(0);
  });
});
