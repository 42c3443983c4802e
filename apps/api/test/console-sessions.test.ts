import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/lib/tokens.js';
import { bearer, loginConsole, setupApi, TEST_PASSWORD, type ApiTestContext } from './api-helper.js';
import { expectProblemShape } from './helper.js';

describe('console sessions (cookie + CSRF)', () => {
  let ctx: ApiTestContext;
  beforeAll(async () => {
    ctx = await setupApi('sessions');
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('logs in with an HttpOnly SameSite=Strict cookie whose value is stored only as sha256', async () => {
    const bad = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/session', payload: { username: 'operator', password: 'wrong' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['set-cookie']).toBeUndefined();

    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/session', payload: { username: 'operator', password: TEST_PASSWORD } });
    expect(response.statusCode).toBe(200);
    const body = response.json() as { admin: { username: string; role: string }; csrfToken: string };
    expect(body.admin).toMatchObject({ username: 'operator', role: 'operator' });
    expect(body.csrfToken.length).toBeGreaterThan(10);
    const setCookie = String(response.headers['set-cookie']);
    expect(setCookie).toMatch(/^mqttp_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).not.toContain('Secure'); // plain HTTP, no trusted proxy
    const value = /mqttp_session=([^;]+)/.exec(setCookie)![1]!;
    const row = await ctx.db.adminSession.findUniqueOrThrow({ where: { sessionHash: sha256Hex(value) } });
    expect(JSON.stringify(row)).not.toContain(value);
    expect(row.expiresAt.getTime() - Date.now()).toBeGreaterThan(11 * 3600 * 1000);
  });

  it('GET /auth/session answers who is logged in, by cookie or bearer; anonymous gets 401', async () => {
    const { cookie } = await loginConsole(ctx.app, 'viewer');
    const byCookie = await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { cookie } });
    expect(byCookie.statusCode).toBe(200);
    expect(byCookie.json()).toMatchObject({ admin: { username: 'viewer', role: 'viewer' } });
    const byBearer = await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: bearer(ctx.tokens.admin) });
    expect(byBearer.json()).toMatchObject({ admin: { username: 'admin', role: 'admin' }, csrfToken: '' });
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/session' })).statusCode).toBe(401);
  });

  it('state-changing cookie requests need the CSRF token (403 API_ERR_CSRF_FAILED); bearer is exempt', async () => {
    const { cookie, csrfToken } = await loginConsole(ctx.app, 'operator');
    const other = await loginConsole(ctx.app, 'admin');
    const create = (headers: Record<string, string>, username: string) => ctx.app.inject({ method: 'POST', url: '/api/v1/mqtt-users', headers, payload: { username } });

    const attempts: Array<Record<string, string>> = [{ cookie }, { cookie, 'x-csrf-token': 'forged' }, { cookie, 'x-csrf-token': other.csrfToken }];
    for (const headers of attempts) {
      const refused = await create(headers, 'csrf-victim');
      expect(refused.statusCode).toBe(403);
      const body = refused.json();
      expectProblemShape(body);
      expect(body.code).toBe('API_ERR_CSRF_FAILED');
    }
    expect(await ctx.db.mqttUser.count({ where: { username: 'csrf-victim' } })).toBe(0);

    expect((await create({ cookie, 'x-csrf-token': csrfToken }, 'csrf-ok')).statusCode).toBe(201);
    // A token from GET /auth/session works too.
    const fresh = (await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { cookie } })).json() as { csrfToken: string };
    expect((await create({ cookie, 'x-csrf-token': fresh.csrfToken }, 'csrf-ok-2')).statusCode).toBe(201);
    // Reads need no token.
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/mqtt-users', headers: { cookie } })).statusCode).toBe(200);
    // Bearer requests are not cookie-authenticated: no token needed, even with a cookie alongside.
    expect((await create({ ...bearer(ctx.tokens.operator), cookie }, 'bearer-ok')).statusCode).toBe(201);
    // The audit log says it was done through a console session.
    const audit = await ctx.db.auditEvent.findFirstOrThrow({ where: { action: 'mqtt-user.create', after: { path: ['username'], equals: 'csrf-ok' } } });
    expect(audit.actor).toMatch(/^admin:operator \(session [0-9a-f-]{36}\)$/);
  });

  it('roles apply to sessions as to tokens', async () => {
    const { cookie, csrfToken } = await loginConsole(ctx.app, 'viewer');
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/mqtt-users', headers: { cookie, 'x-csrf-token': csrfToken }, payload: { username: 'nope' } });
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('API_ERR_FORBIDDEN');
  });

  it('expires after idle time, pushes the expiry forward on use, and clears a dead cookie', async () => {
    const { cookie } = await loginConsole(ctx.app, 'viewer');
    const hash = sha256Hex(cookie.split('=')[1]!);
    const stale = new Date(Date.now() - 5 * 60_000);
    await ctx.db.adminSession.update({ where: { sessionHash: hash }, data: { lastSeenAt: stale, expiresAt: new Date(Date.now() + 60_000) } });
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { cookie } })).statusCode).toBe(200);
    const touched = await ctx.db.adminSession.findUniqueOrThrow({ where: { sessionHash: hash } });
    expect(touched.expiresAt.getTime()).toBeGreaterThan(Date.now() + 11 * 3600 * 1000);
    expect(touched.lastSeenAt.getTime()).toBeGreaterThan(stale.getTime());

    await ctx.db.adminSession.update({ where: { sessionHash: hash }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { cookie } });
    expect(expired.statusCode).toBe(401);
    expect(String(expired.headers['set-cookie'])).toMatch(/mqttp_session=;.*Expires=Thu, 01 Jan 1970/);
  });

  it('never extends a session past its absolute cap', async () => {
    const { cookie } = await loginConsole(ctx.app, 'viewer');
    const hash = sha256Hex(cookie.split('=')[1]!);
    const cap = new Date(Date.now() + 30_000);
    await ctx.db.adminSession.update({ where: { sessionHash: hash }, data: { lastSeenAt: new Date(Date.now() - 5 * 60_000), maxExpiresAt: cap } });
    await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { cookie } });
    expect((await ctx.db.adminSession.findUniqueOrThrow({ where: { sessionHash: hash } })).expiresAt.getTime()).toBe(cap.getTime());
  });

  it('DELETE /auth/session logs out (needs the CSRF token) and clears the cookie', async () => {
    const { cookie, csrfToken } = await loginConsole(ctx.app, 'operator');
    expect((await ctx.app.inject({ method: 'DELETE', url: '/api/v1/auth/session', headers: { cookie } })).statusCode).toBe(403);
    const out = await ctx.app.inject({ method: 'DELETE', url: '/api/v1/auth/session', headers: { cookie, 'x-csrf-token': csrfToken } });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toContain('mqttp_session=;');
    expect(await ctx.db.adminSession.count({ where: { sessionHash: sha256Hex(cookie.split('=')[1]!) } })).toBe(0);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { cookie } })).statusCode).toBe(401);
    // With a bearer token there is no session to end: nothing happens, the token still works.
    expect((await ctx.app.inject({ method: 'DELETE', url: '/api/v1/auth/session', headers: bearer(ctx.tokens.viewer) })).statusCode).toBe(204);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: bearer(ctx.tokens.viewer) })).statusCode).toBe(200);
  });

  it('rejects unknown fields and oversized credentials', async () => {
    for (const payload of [{ username: 'admin', password: TEST_PASSWORD, remember: true }, { username: 'admin' }, { username: 'a'.repeat(101), password: 'x' }]) {
      const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/session', payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().code).toBe('API_ERR_VALIDATION');
    }
  });
});

describe('console sessions behind a TLS-terminating proxy', () => {
  it('sets Secure only when the request came over TLS as far as trusted proxies say', async () => {
    const trusting = await setupApi('sessions_proxy', {}, { trustProxy: true });
    const plain = await setupApi('sessions_noproxy');
    try {
      const login = (ctx: ApiTestContext) =>
        ctx.app.inject({ method: 'POST', url: '/api/v1/auth/session', headers: { 'x-forwarded-proto': 'https' }, payload: { username: 'viewer', password: TEST_PASSWORD } });
      expect(String((await login(trusting)).headers['set-cookie'])).toContain('Secure');
      // Without API_TRUST_PROXY the header is anybody's claim: ignored.
      expect(String((await login(plain)).headers['set-cookie'])).not.toContain('Secure');
    } finally {
      await trusting.close();
      await plain.close();
    }
  });

  it('shares one rate-limit budget between /auth/login and /auth/session', async () => {
    const ctx = await setupApi('sessions_ratelimit', { loginRateLimit: { max: 5, windowMs: 60_000 } });
    try {
      // setupApi logged in three times (one per role) through /auth/login.
      expect((await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/session', payload: { username: 'admin', password: 'wrong' } })).statusCode).toBe(401);
      expect((await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/session', payload: { username: 'admin', password: 'wrong' } })).statusCode).toBe(401);
      const limited = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: TEST_PASSWORD } });
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBeDefined();
      const limitedSession = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/session', payload: { username: 'admin', password: TEST_PASSWORD } });
      expect(limitedSession.statusCode).toBe(429);
    } finally {
      await ctx.close();
    }
  });
});
