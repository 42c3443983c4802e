import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, loginConsole, setupApi, type ApiTestContext } from './api-helper.js';

interface AdminBody {
  id: string;
  username: string;
  role: string;
  disabled: boolean;
}

describe('/api/v1/admins', () => {
  let ctx: ApiTestContext;
  let admin: Record<string, string>;
  beforeAll(async () => {
    ctx = await setupApi('admins');
    admin = bearer(ctx.tokens.admin);
  });
  afterAll(async () => {
    await ctx?.close();
  });

  const create = async (username: string, role = 'operator', password = 'a long enough passphrase'): Promise<AdminBody> => {
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/admins', headers: admin, payload: { username, password, role } });
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as AdminBody;
  };
  const login = (username: string, password: string) => ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });

  it('creates an admin with an argon2id hash that can log in; lists and gets it without secrets', async () => {
    const alice = await create('alice');
    expect(alice).toMatchObject({ username: 'alice', role: 'operator', disabled: false });
    const row = await ctx.db.admin.findUniqueOrThrow({ where: { id: alice.id } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect((await login('alice', 'a long enough passphrase')).statusCode).toBe(201);

    const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/admins?limit=2', headers: admin });
    expect(list.statusCode).toBe(200);
    const page = list.json() as { items: AdminBody[]; nextCursor: string | null };
    expect(page.items.map((a) => a.username)).toEqual(['admin', 'alice']);
    expect(page.nextCursor).not.toBeNull();
    const next = (await ctx.app.inject({ method: 'GET', url: `/api/v1/admins?limit=2&cursor=${page.nextCursor}`, headers: admin })).json() as { items: AdminBody[] };
    expect(next.items.map((a) => a.username)).toEqual(['operator', 'viewer']);
    expect(list.body).not.toContain('argon2');
    expect(list.body).not.toContain('passwordHash');
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/admins/${alice.id}`, headers: admin })).json()).toEqual(alice);

    const audit = await ctx.db.auditEvent.findFirstOrThrow({ where: { action: 'admin.create', resourceId: alice.id } });
    expect(JSON.stringify(audit)).not.toContain('passphrase');
    expect(JSON.stringify(audit)).not.toContain('argon2');
  });

  it('validates: unknown fields, short passwords, bad roles and names, duplicates, bad ids', async () => {
    for (const payload of [
      { username: 'bob', password: 'a long enough passphrase', role: 'operator', extra: 1 },
      { username: 'bob', password: 'short', role: 'operator' },
      { username: 'bob', password: 'a long enough passphrase', role: 'root' },
      { username: 'bob smith', password: 'a long enough passphrase', role: 'viewer' },
      { username: 'bob', password: 'a long enough passphrase' },
    ]) {
      const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/admins', headers: admin, payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().code).toBe('API_ERR_VALIDATION');
    }
    await create('dupe');
    const dup = await ctx.app.inject({ method: 'POST', url: '/api/v1/admins', headers: admin, payload: { username: 'dupe', password: 'a long enough passphrase', role: 'viewer' } });
    expect(dup.statusCode).toBe(409);
    expect((await ctx.app.inject({ method: 'PATCH', url: '/api/v1/admins/not-a-uuid', headers: admin, payload: { role: 'viewer' } })).statusCode).toBe(400);
    expect((await ctx.app.inject({ method: 'PATCH', url: '/api/v1/admins/00000000-0000-4000-8000-000000000000', headers: admin, payload: { role: 'viewer' } })).statusCode).toBe(404);
    const dupe = (await ctx.db.admin.findUniqueOrThrow({ where: { username: 'dupe' } })).id;
    expect((await ctx.app.inject({ method: 'PATCH', url: `/api/v1/admins/${dupe}`, headers: admin, payload: {} })).statusCode).toBe(400);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/admins?limit=101', headers: admin })).statusCode).toBe(400);
  });

  it('a role change applies at once to the admin\'s tokens and sessions', async () => {
    const carol = await create('carol', 'admin');
    const token = ((await login('carol', 'a long enough passphrase')).json() as { token: string }).token;
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/admins', headers: bearer(token) })).statusCode).toBe(200);
    const patched = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/admins/${carol.id}`, headers: admin, payload: { role: 'viewer' } });
    expect(patched.json()).toMatchObject({ role: 'viewer' });
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/admins', headers: bearer(token) })).statusCode).toBe(403);
  });

  it('a new password replaces the old one, ends console sessions and is audited without the secret', async () => {
    const dave = await create('dave', 'viewer', 'the first passphrase');
    const session = await loginConsole(ctx.app, 'dave', 'the first passphrase');
    const patched = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/admins/${dave.id}`, headers: admin, payload: { password: 'the second passphrase' } });
    expect(patched.statusCode).toBe(200);
    expect((await login('dave', 'the first passphrase')).statusCode).toBe(401);
    expect((await login('dave', 'the second passphrase')).statusCode).toBe(201);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { cookie: session.cookie } })).statusCode).toBe(401);
    const audit = await ctx.db.auditEvent.findFirstOrThrow({ where: { action: 'admin.update', resourceId: dave.id } });
    expect(JSON.stringify(audit)).not.toContain('second passphrase');
    expect(JSON.stringify(audit)).not.toContain('argon2');
    expect(audit.after).toMatchObject({ password: '[redacted]' });
  });

  it('a disabled admin can neither log in nor use its tokens; enabling restores the tokens', async () => {
    const erin = await create('erin', 'operator');
    const token = ((await login('erin', 'a long enough passphrase')).json() as { token: string }).token;
    await ctx.app.inject({ method: 'PATCH', url: `/api/v1/admins/${erin.id}`, headers: admin, payload: { disabled: true } });
    expect((await login('erin', 'a long enough passphrase')).statusCode).toBe(401);
    expect((await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/session', payload: { username: 'erin', password: 'a long enough passphrase' } })).statusCode).toBe(401);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/mqtt-users', headers: bearer(token) })).statusCode).toBe(401);
    await ctx.app.inject({ method: 'PATCH', url: `/api/v1/admins/${erin.id}`, headers: admin, payload: { disabled: false } });
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/mqtt-users', headers: bearer(token) })).statusCode).toBe(200);
  });

  it('operators and viewers get 403 on every /admins route', async () => {
    for (const role of ['operator', 'viewer'] as const) {
      const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/admins', headers: bearer(ctx.tokens[role]), payload: { username: 'x', password: 'a long enough passphrase', role: 'admin' } });
      expect(response.statusCode).toBe(403);
    }
    expect(await ctx.db.admin.count({ where: { username: 'x' } })).toBe(0);
  });
});

describe('the last admin', () => {
  it('cannot be deleted, demoted or disabled; with two, concurrent deletes of each other leave one', async () => {
    const ctx = await setupApi('admins_last');
    try {
      // setupApi made admin, operator, viewer: "admin" is the only enabled admin.
      const headers = bearer(ctx.tokens.admin);
      const self = await ctx.db.admin.findUniqueOrThrow({ where: { username: 'admin' } });
      for (const [method, payload] of [['DELETE', undefined], ['PATCH', { role: 'operator' }], ['PATCH', { disabled: true }]] as const) {
        const response = await ctx.app.inject({ method, url: `/api/v1/admins/${self.id}`, headers, ...(payload ? { payload } : {}) });
        expect(response.statusCode, `${method} ${JSON.stringify(payload)}`).toBe(409);
        expect(response.json().code).toBe('API_ERR_LAST_ADMIN');
      }
      // A disabled admin does not count as the remaining one.
      const other = (await ctx.app.inject({ method: 'POST', url: '/api/v1/admins', headers, payload: { username: 'second', password: 'a long enough passphrase', role: 'admin' } })).json() as { id: string };
      await ctx.app.inject({ method: 'PATCH', url: `/api/v1/admins/${other.id}`, headers, payload: { disabled: true } });
      expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/admins/${self.id}`, headers })).statusCode).toBe(409);
      await ctx.app.inject({ method: 'PATCH', url: `/api/v1/admins/${other.id}`, headers, payload: { disabled: false } });

      const otherToken = ((await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'second', password: 'a long enough passphrase' } })).json() as { token: string }).token;
      const [a, b] = await Promise.all([
        ctx.app.inject({ method: 'DELETE', url: `/api/v1/admins/${other.id}`, headers }),
        ctx.app.inject({ method: 'DELETE', url: `/api/v1/admins/${self.id}`, headers: bearer(otherToken) }),
      ]);
      const statuses = [a.statusCode, b.statusCode].sort();
      // Either one delete wins and the other finds it is now the last admin (409), or the second
      // caller's own account is gone before its request is authenticated (401).
      expect(statuses[0]).toBe(204);
      expect([401, 409]).toContain(statuses[1]);
      expect(await ctx.db.admin.count({ where: { role: 'admin', disabled: false } })).toBe(1);
    } finally {
      await ctx.close();
    }
  });
});
