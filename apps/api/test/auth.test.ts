import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../src/app.js';
import { sha256Hex } from '../src/lib/tokens.js';
import { bearer, setupApi, TEST_PASSWORD, type ApiTestContext } from './api-helper.js';
import { buildTestApp, expectProblemShape } from './helper.js';

describe('authentication and API tokens', () => {
  let ctx: ApiTestContext;
  beforeAll(async () => {
    ctx = await setupApi('auth');
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('rejects /api/v1 requests without a valid token with 401 problem+json', async () => {
    for (const headers of [{}, { authorization: 'Basic abc' }, bearer('mqp_unknown')]) {
      const response = await ctx.app.inject({ method: 'GET', url: '/api/v1/api-tokens', headers });
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toContain('application/problem+json');
      const body = response.json();
      expectProblemShape(body);
      expect(body.code).toBe('API_ERR_UNAUTHORIZED');
    }
  });

  it('login returns a token once; only its sha256 is stored; wrong passwords get 401', async () => {
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: TEST_PASSWORD } });
    expect(response.statusCode).toBe(201);
    const created = response.json() as { id: string; token: string; role: string; expiresAt: string };
    expect(created.role).toBe('admin');
    expect(created.token).toMatch(/^mqp_/);
    expect(created.expiresAt).not.toBeNull();
    const row = await ctx.db.apiToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.tokenHash).toBe(sha256Hex(created.token));
    expect(JSON.stringify(row)).not.toContain(created.token);

    for (const payload of [{ username: 'admin', password: 'wrong' }, { username: 'nobody', password: 'x' }]) {
      const bad = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload });
      expect(bad.statusCode).toBe(401);
      expect(bad.json().code).toBe('API_ERR_UNAUTHORIZED');
    }
    const unknownField = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: TEST_PASSWORD, extra: 1 } });
    expect(unknownField.statusCode).toBe(400);
  });

  it('records lastUsedAt and refuses expired tokens', async () => {
    const tokenHash = sha256Hex(ctx.tokens.viewer);
    await ctx.app.inject({ method: 'GET', url: '/api/v1/api-tokens', headers: bearer(ctx.tokens.viewer) });
    const used = await ctx.db.apiToken.findUniqueOrThrow({ where: { tokenHash } });
    expect(used.lastUsedAt).not.toBeNull();

    const login = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: TEST_PASSWORD } });
    const { id, token } = login.json() as { id: string; token: string };
    await ctx.db.apiToken.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const response = await ctx.app.inject({ method: 'GET', url: '/api/v1/api-tokens', headers: bearer(token) });
    expect(response.statusCode).toBe(401);
  });

  it('api-tokens are admin-only (403 for operator and viewer)', async () => {
    for (const role of ['operator', 'viewer'] as const) {
      for (const [method, url] of [['GET', '/api/v1/api-tokens'], ['POST', '/api/v1/api-tokens'], ['DELETE', '/api/v1/api-tokens/00000000-0000-4000-8000-000000000000']] as const) {
        const response = await ctx.app.inject({ method, url, headers: bearer(ctx.tokens[role]), ...(method === 'POST' ? { payload: { name: 'x' } } : {}) });
        expect(response.statusCode, `${role} ${method} ${url}`).toBe(403);
        expect(response.json().code).toBe('API_ERR_FORBIDDEN');
      }
    }
  });

  it('admins create, list and delete tokens; the token is shown once and audited without secrets', async () => {
    const headers = bearer(ctx.tokens.admin);
    const create = await ctx.app.inject({ method: 'POST', url: '/api/v1/api-tokens', headers, payload: { name: 'ci', role: 'viewer', ttlSeconds: 3600 } });
    expect(create.statusCode).toBe(201);
    const created = create.json() as { id: string; token: string; role: string; name: string };
    expect(created).toMatchObject({ name: 'ci', role: 'viewer' });

    const asNew = await ctx.app.inject({ method: 'GET', url: '/api/v1/api-tokens', headers: bearer(created.token) });
    expect(asNew.statusCode).toBe(403); // a viewer token

    const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/api-tokens', headers });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(created.token);
    expect(list.body).not.toContain('tokenHash');
    expect((list.json() as { items: Array<{ id: string }> }).items.map((t) => t.id)).toContain(created.id);

    const audit = await ctx.db.auditEvent.findFirstOrThrow({ where: { action: 'api-token.create', resourceId: created.id } });
    expect(audit.actor).toContain('admin:admin');
    expect(JSON.stringify(audit)).not.toContain(created.token);

    const del = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/api-tokens/${created.id}`, headers });
    expect(del.statusCode).toBe(204);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/api-tokens', headers: bearer(created.token) })).statusCode).toBe(401);
    const again = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/api-tokens/${created.id}`, headers });
    expect(again.statusCode).toBe(404);
    expect(await ctx.db.auditEvent.count({ where: { action: 'api-token.delete', resourceId: created.id } })).toBe(1);
  });

  it('rejects unknown fields and out-of-range values when creating a token', async () => {
    const headers = bearer(ctx.tokens.admin);
    for (const payload of [{ name: 'x', extra: true }, { name: '' }, { name: 'x', role: 'root' }, { name: 'x', ttlSeconds: 1 }]) {
      const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/api-tokens', headers, payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().code).toBe('API_ERR_VALIDATION');
    }
  });

  it('creates the first admin once, with a generated password when none is configured', async () => {
    const { auth } = createServices({ db: ctx.db, loginTokenTtlSeconds: 60 });
    expect(await auth.ensureFirstAdmin(undefined)).toEqual({ created: false });
    await ctx.db.admin.deleteMany({});
    const first = await auth.ensureFirstAdmin(undefined);
    expect(first.created).toBe(true);
    expect(first.generatedPassword).toBeTypeOf('string');
    const admin = await ctx.db.admin.findUniqueOrThrow({ where: { username: 'admin' } });
    expect(admin.role).toBe('admin');
    expect(admin.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await auth.ensureFirstAdmin(undefined)).toEqual({ created: false });
    const login = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: first.generatedPassword } });
    expect(login.statusCode).toBe(201);
  });
});

describe('login rate limit', () => {
  it('answers 429 with Retry-After once an IP exceeds its attempts', async () => {
    const ctx = await setupApi('ratelimit', { loginRateLimit: { max: 4, windowMs: 60_000 } });
    try {
      // setupApi logged in three times already (one per role).
      const ok = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: 'wrong' } });
      expect(ok.statusCode).toBe(401);
      const limited = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: TEST_PASSWORD } });
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBeDefined();
      expect(limited.json().code).toBe('API_ERR_TOO_MANY_REQUESTS');
    } finally {
      await ctx.close();
    }
  });

  it('without a database the app serves no /api/v1 routes', async () => {
    const app = await buildTestApp();
    const response = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'a', password: 'b' } });
    expect(response.statusCode).toBe(404);
    await app.close();
  });
});
