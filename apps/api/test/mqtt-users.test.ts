import { ControlChannel } from '@repo/control';
import { verifyPassword } from '@repo/passwords';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, listen, setupApi, type ApiTestContext } from './api-helper.js';

interface User {
  id: string;
  username: string;
  enabled: boolean;
  groups: string[];
}

describe('/api/v1/mqtt-users', () => {
  let ctx: ApiTestContext;
  let admin: Record<string, string>;
  let operator: Record<string, string>;
  let viewer: Record<string, string>;
  beforeAll(async () => {
    ctx = await setupApi('users');
    admin = bearer(ctx.tokens.admin);
    operator = bearer(ctx.tokens.operator);
    viewer = bearer(ctx.tokens.viewer);
  });
  afterAll(async () => {
    await ctx?.close();
  });

  async function createUser(username: string, extra: Record<string, unknown> = {}): Promise<User> {
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/mqtt-users', headers: operator, payload: { username, ...extra } });
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as User;
  }

  it('role matrix: viewers read, operators and admins write, nobody without a token', async () => {
    const user = await createUser('matrix');
    const routes = [
      { method: 'GET', url: '/api/v1/mqtt-users', write: false },
      { method: 'GET', url: `/api/v1/mqtt-users/${user.id}`, write: false },
      { method: 'GET', url: `/api/v1/mqtt-users/${user.id}/credentials`, write: false },
      { method: 'POST', url: '/api/v1/mqtt-users', write: true, payload: { username: 'matrix-x' } },
      { method: 'PATCH', url: `/api/v1/mqtt-users/${user.id}`, write: true, payload: { enabled: true } },
      { method: 'POST', url: `/api/v1/mqtt-users/${user.id}/credentials`, write: true, payload: {} },
    ] as const;
    for (const route of routes) {
      const opts = { method: route.method, url: route.url, ...('payload' in route ? { payload: route.payload } : {}) };
      expect((await ctx.app.inject(opts)).statusCode, `anonymous ${route.method} ${route.url}`).toBe(401);
      const asViewer = await ctx.app.inject({ ...opts, headers: viewer });
      expect(asViewer.statusCode, `viewer ${route.method} ${route.url}`).toBe(route.write ? 403 : 200);
      if (route.method === 'POST' && route.url === '/api/v1/mqtt-users') continue; // created below by operator already
      const asOperator = await ctx.app.inject({ ...opts, headers: operator });
      expect(asOperator.statusCode, `operator ${route.method} ${route.url}`).toBeLessThan(300);
      const asAdmin = await ctx.app.inject({ ...opts, headers: admin });
      expect(asAdmin.statusCode, `admin ${route.method} ${route.url}`).toBeLessThan(300);
    }
  });

  it('creates, gets, updates and deletes a user; audits and NOTIFYs each change', async () => {
    const notifications = await listen(ctx.databaseUrl, ControlChannel.credentialsChanged);
    try {
      const user = await createUser('sensor-1', { groups: ['sensors'], description: 'first' });
      expect(user).toMatchObject({ username: 'sensor-1', enabled: true, groups: ['sensors'] });
      expect(JSON.parse(await notifications.next())).toEqual({ username: 'sensor-1' });

      const got = await ctx.app.inject({ method: 'GET', url: `/api/v1/mqtt-users/${user.id}`, headers: viewer });
      expect(got.json()).toEqual(user);

      const patched = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/mqtt-users/${user.id}`, headers: operator, payload: { enabled: false, description: null } });
      expect(patched.statusCode).toBe(200);
      expect(patched.json()).toMatchObject({ enabled: false, description: null });
      expect(JSON.parse(await notifications.next())).toEqual({ username: 'sensor-1' });

      const del = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/mqtt-users/${user.id}`, headers: operator });
      expect(del.statusCode).toBe(204);
      expect(JSON.parse(await notifications.next())).toEqual({ username: 'sensor-1' });
      expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/mqtt-users/${user.id}`, headers: viewer })).statusCode).toBe(404);

      const actions = (await ctx.db.auditEvent.findMany({ where: { resourceId: user.id }, orderBy: { at: 'asc' } })).map((e) => e.action);
      expect(actions).toEqual(['mqtt-user.create', 'mqtt-user.update', 'mqtt-user.delete']);
    } finally {
      await notifications.stop();
    }
  });

  it('validates input: unknown fields, bad sizes, duplicates, bad ids', async () => {
    for (const payload of [{ username: '' }, { username: 'a', extra: 1 }, { username: 'x'.repeat(300) }, { username: 'a', groups: 'g' }]) {
      const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/mqtt-users', headers: operator, payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().code).toBe('API_ERR_VALIDATION');
    }
    await createUser('dup');
    const dup = await ctx.app.inject({ method: 'POST', url: '/api/v1/mqtt-users', headers: operator, payload: { username: 'dup' } });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('API_ERR_CONFLICT');
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/mqtt-users/not-a-uuid', headers: viewer })).statusCode).toBe(400);
    const user = await createUser('patchy');
    expect((await ctx.app.inject({ method: 'PATCH', url: `/api/v1/mqtt-users/${user.id}`, headers: operator, payload: {} })).statusCode).toBe(400);
    expect((await ctx.app.inject({ method: 'PATCH', url: `/api/v1/mqtt-users/${user.id}`, headers: operator, payload: { username: 'renamed' } })).statusCode).toBe(400);
  });

  it('lists by username with cursor pagination and a prefix search', async () => {
    for (const name of ['page-a', 'page-b', 'page-c', 'page-d', 'page-e']) await createUser(name);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/mqtt-users?username=page-&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const response = await ctx.app.inject({ method: 'GET', url, headers: viewer });
      expect(response.statusCode).toBe(200);
      const body = response.json() as { items: User[]; nextCursor: string | null };
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((u) => u.username));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['page-a', 'page-b', 'page-c', 'page-d', 'page-e']);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/mqtt-users?limit=1000', headers: viewer })).statusCode).toBe(400);
  });

  it('credentials: generated password shown once, hashes never returned, revoke and delete NOTIFY', async () => {
    const user = await createUser('cred-user');
    const notifications = await listen(ctx.databaseUrl, ControlChannel.credentialsChanged);
    try {
      const base = `/api/v1/mqtt-users/${user.id}/credentials`;
      const generated = await ctx.app.inject({ method: 'POST', url: base, headers: operator, payload: { label: 'gen' } });
      expect(generated.statusCode).toBe(201);
      const created = generated.json() as { id: string; password: string };
      expect(created.password.length).toBeGreaterThanOrEqual(16);
      expect(JSON.parse(await notifications.next())).toEqual({ username: 'cred-user' });
      const row = await ctx.db.credential.findUniqueOrThrow({ where: { id: created.id } });
      expect(await verifyPassword(row.secretHash, created.password)).toBe(true);

      const supplied = await ctx.app.inject({ method: 'POST', url: base, headers: operator, payload: { password: 'my-own-secret', clientIdPattern: 'dev-*' } });
      expect(supplied.statusCode).toBe(201);
      expect(supplied.json()).not.toHaveProperty('password');
      expect(supplied.body).not.toContain('my-own-secret');
      await notifications.next();

      const list = await ctx.app.inject({ method: 'GET', url: base, headers: viewer });
      expect(list.statusCode).toBe(200);
      expect((list.json() as { items: unknown[] }).items).toHaveLength(2);
      expect(list.body).not.toContain(created.password);
      expect(list.body).not.toContain('argon2');
      expect(list.body).not.toContain('secretHash');

      const revoked = await ctx.app.inject({ method: 'POST', url: `${base}/${created.id}/revoke`, headers: operator });
      expect(revoked.statusCode).toBe(200);
      expect(revoked.json()).toMatchObject({ id: created.id, revoked: true });
      expect(JSON.parse(await notifications.next())).toEqual({ username: 'cred-user' });

      const del = await ctx.app.inject({ method: 'DELETE', url: `${base}/${created.id}`, headers: operator });
      expect(del.statusCode).toBe(204);
      expect(JSON.parse(await notifications.next())).toEqual({ username: 'cred-user' });
      expect((await ctx.app.inject({ method: 'DELETE', url: `${base}/${created.id}`, headers: operator })).statusCode).toBe(404);

      const audits = await ctx.db.auditEvent.findMany({ where: { resourceType: 'credential' } });
      expect(audits.map((a) => a.action)).toEqual(expect.arrayContaining(['credential.create', 'credential.revoke', 'credential.delete']));
      const auditText = JSON.stringify(audits);
      expect(auditText).not.toContain(created.password);
      expect(auditText).not.toContain('my-own-secret');
      expect(auditText).not.toContain('argon2');

      const short = await ctx.app.inject({ method: 'POST', url: base, headers: operator, payload: { password: 'short' } });
      expect(short.statusCode).toBe(400);
    } finally {
      await notifications.stop();
    }
  });
});
