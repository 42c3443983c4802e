import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApi, type ApiTestContext } from './api-helper.js';

describe('GET /api/v1/mqtt-users/export', () => {
  let ctx: ApiTestContext;
  beforeAll(async () => {
    ctx = await setupApi('export');
    const operator = bearer(ctx.tokens.operator);
    const create = async (payload: object) => (await ctx.app.inject({ method: 'POST', url: '/api/v1/mqtt-users', headers: operator, payload })).json() as { id: string };
    const plain = await create({ username: 'alpha', groups: ['g1', 'g 2'] });
    await ctx.app.inject({ method: 'POST', url: `/api/v1/mqtt-users/${plain.id}/credentials`, headers: operator, payload: { password: 'alpha-secret-1' } });
    const revoked = (await ctx.app.inject({ method: 'POST', url: `/api/v1/mqtt-users/${plain.id}/credentials`, headers: operator, payload: {} })).json() as { id: string };
    await ctx.app.inject({ method: 'POST', url: `/api/v1/mqtt-users/${plain.id}/credentials/${revoked.id}/revoke`, headers: operator });
    await create({ username: 'beta, "quoted"', description: 'line one\nline two' });
    await create({ username: '=HYPERLINK("http://evil")', superuser: true });
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('JSON: every user, no secrets, credential counts', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/api/v1/mqtt-users/export', headers: bearer(ctx.tokens.viewer) });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['content-disposition']).toBe('attachment; filename="mqtt-users.json"');
    const body = response.json() as { exportedAt: string; items: Array<Record<string, unknown>> };
    expect(body.items.map((u) => u.username)).toEqual(['=HYPERLINK("http://evil")', 'alpha', 'beta, "quoted"']);
    expect(body.items[1]).toMatchObject({ username: 'alpha', groups: ['g1', 'g 2'], credentials: 2, activeCredentials: 1 });
    expect(Object.keys(body.items[1]!).sort()).toEqual(['activeCredentials', 'createdAt', 'credentials', 'description', 'enabled', 'groups', 'id', 'superuser', 'updatedAt', 'username']);
    expect(response.body).not.toContain('argon2');
    expect(response.body).not.toContain('alpha-secret-1');
  });

  it('CSV: RFC 4180 quoting, CRLF, groups as JSON, formula cells neutralised', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/api/v1/mqtt-users/export?format=csv', headers: bearer(ctx.tokens.viewer) });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    const text = response.body;
    expect(text.startsWith('id,username,enabled,superuser,groups,description,credentials,activeCredentials,createdAt,updatedAt\r\n')).toBe(true);
    expect(text).toContain(`,"'=HYPERLINK(""http://evil"")",true,true,[],,0,0,`);
    expect(text).toContain(',alpha,true,false,"[""g1"",""g 2""]",,2,1,');
    expect(text).toContain(',"beta, ""quoted""",true,false,[],"line one\nline two",0,0,');
    // 3 records + header, each ending in CRLF (the description's LF is inside quotes).
    expect(text.split('\r\n')).toHaveLength(5);
    expect(text).not.toContain('argon2');
  });

  it('rejects unknown formats and parameters; anonymous gets 401', async () => {
    for (const query of ['?format=xml', '?format=csv&all=1']) {
      const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/mqtt-users/export${query}`, headers: bearer(ctx.tokens.viewer) });
      expect(response.statusCode, query).toBe(400);
    }
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/mqtt-users/export' })).statusCode).toBe(401);
  });
});
