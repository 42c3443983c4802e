import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApi, type ApiTestContext } from './api-helper.js';

interface EventBody {
  id: string;
  at: string;
  actor: string;
  action: string;
  resource: string;
  resourceId: string | null;
  before: unknown;
  after: unknown;
}
type Page = { items: EventBody[]; nextCursor: string | null };

describe('GET /api/v1/audit-events', () => {
  let ctx: ApiTestContext;
  let userId: string;
  beforeAll(async () => {
    ctx = await setupApi('audit');
    const headers = bearer(ctx.tokens.operator);
    const user = await ctx.app.inject({ method: 'POST', url: '/api/v1/mqtt-users', headers, payload: { username: 'audited' } });
    userId = (user.json() as { id: string }).id;
    await ctx.app.inject({ method: 'PATCH', url: `/api/v1/mqtt-users/${userId}`, headers, payload: { enabled: false } });
    await ctx.app.inject({ method: 'POST', url: '/api/v1/acl-rules', headers, payload: { subjectKind: 'everyone', action: 'subscribe', topic: 'public/#', permission: 'allow' } });
    await ctx.app.inject({ method: 'POST', url: '/api/v1/admins', headers: bearer(ctx.tokens.admin), payload: { username: 'zed', password: 'a long enough passphrase', role: 'viewer' } });
  });
  afterAll(async () => {
    await ctx?.close();
  });

  const get = async (query: string, role: 'admin' | 'operator' = 'admin'): Promise<Page> => {
    const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/audit-events${query}`, headers: bearer(ctx.tokens[role]) });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as Page;
  };

  it('lists newest first with before/after', async () => {
    const page = await get(`?resource=mqtt-user&resourceId=${userId}`);
    expect(page.items.map((e) => e.action)).toEqual(['mqtt-user.update', 'mqtt-user.create']);
    const [update] = page.items;
    expect(update).toMatchObject({ resource: 'mqtt-user', resourceId: userId, before: { enabled: true }, after: { enabled: false } });
    expect(update!.actor).toMatch(/^admin:operator \(token /);
  });

  it('filters by action (exact or prefix*), actor substring and time range', async () => {
    expect((await get('?action=acl-rule.create')).items).toHaveLength(1);
    expect((await get('?action=mqtt-user.*')).items.map((e) => e.action).sort()).toEqual(['mqtt-user.create', 'mqtt-user.update']);
    const byAdmin = await get('?actor=ADMIN:ADMIN');
    expect(byAdmin.items.length).toBeGreaterThan(0);
    expect(byAdmin.items.every((e) => e.actor.startsWith('admin:admin'))).toBe(true);
    const future = new Date(Date.now() + 3600_000).toISOString();
    expect((await get(`?since=${encodeURIComponent(future)}`)).items).toEqual([]);
    expect((await get(`?until=${encodeURIComponent('2000-01-01T00:00:00Z')}`)).items).toEqual([]);
  });

  it('pages with a cursor without gaps or repeats', async () => {
    const all = await get('?limit=100');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await get(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.items.map((e) => e.id));
  });

  it('operators read it but not events about admins, tokens or sessions; viewers get 403', async () => {
    expect((await get('?resource=admin')).items.length).toBeGreaterThan(0);
    expect((await get('?resource=admin', 'operator')).items).toEqual([]);
    expect((await get('', 'operator')).items.some((e) => ['admin', 'api-token', 'admin-session'].includes(e.resource))).toBe(false);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/audit-events', headers: bearer(ctx.tokens.viewer) })).statusCode).toBe(403);
  });

  it('rejects bad filters, oversized pages, unknown parameters and bad cursors', async () => {
    for (const query of ['?limit=101', '?limit=0', '?since=yesterday', '?action=DROP%20TABLE', '?color=red', '?cursor=bm9wZQ']) {
      const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/audit-events${query}`, headers: bearer(ctx.tokens.admin) });
      expect(response.statusCode, query).toBe(400);
    }
  });
});
