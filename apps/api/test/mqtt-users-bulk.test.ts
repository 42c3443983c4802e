import { verifyPassword } from '@repo/passwords';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApi, type ApiTestContext } from './api-helper.js';

interface BulkBody {
  created: number;
  failed: number;
  results: Array<{ index: number; username: string; status: string; userId?: string; credentialId?: string; password?: string; error?: { code: string; detail: string } }>;
}

describe('POST /api/v1/mqtt-users/bulk', () => {
  let ctx: ApiTestContext;
  let operator: Record<string, string>;
  beforeAll(async () => {
    ctx = await setupApi('bulk');
    operator = bearer(ctx.tokens.operator);
  });
  afterAll(async () => {
    await ctx?.close();
  });

  const bulk = (payload: unknown, headers = operator) => ctx.app.inject({ method: 'POST', url: '/api/v1/mqtt-users/bulk', headers, payload: payload as object });

  it('creates users with one credential each; generated passwords are shown once and verify', async () => {
    const response = await bulk({
      mode: 'all-or-nothing',
      items: [{ username: 'b-1', groups: ['sensors'], credentialLabel: 'factory' }, { username: 'b-2', password: 'chosen-secret-1', superuser: true, enabled: false }],
    });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json() as BulkBody;
    expect(body).toMatchObject({ created: 2, failed: 0 });
    const [first, second] = body.results;
    expect(first).toMatchObject({ index: 0, username: 'b-1', status: 'created' });
    expect(first!.password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(second).not.toHaveProperty('password');
    expect(response.body).not.toContain('chosen-secret-1');

    const user = await ctx.db.mqttUser.findUniqueOrThrow({ where: { username: 'b-1' }, include: { credentials: true } });
    expect(user).toMatchObject({ id: first!.userId, groups: ['sensors'], enabled: true, superuser: false });
    expect(user.credentials).toHaveLength(1);
    expect(user.credentials[0]).toMatchObject({ id: first!.credentialId, label: 'factory' });
    expect(user.credentials[0]!.secretHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(user.credentials[0]!.secretHash, first!.password!)).toBe(true);
    const b2 = await ctx.db.mqttUser.findUniqueOrThrow({ where: { username: 'b-2' }, include: { credentials: true } });
    expect(b2).toMatchObject({ superuser: true, enabled: false });
    expect(await verifyPassword(b2.credentials[0]!.secretHash, 'chosen-secret-1')).toBe(true);

    const audits = await ctx.db.auditEvent.findMany({ where: { action: 'mqtt-user.create', resourceId: { in: [first!.userId!, second!.userId!] } } });
    expect(audits).toHaveLength(2);
    expect(JSON.stringify(audits)).not.toContain(first!.password!);
    expect(JSON.stringify(audits)).not.toContain('chosen-secret-1');
    expect(JSON.stringify(audits)).not.toContain('argon2');
  });

  it('all-or-nothing: one bad item (taken or repeated) writes nothing and every item says why', async () => {
    const response = await bulk({ mode: 'all-or-nothing', items: [{ username: 'aon-1' }, { username: 'b-1' }, { username: 'aon-2' }, { username: 'aon-1' }] });
    expect(response.statusCode).toBe(200);
    const body = response.json() as BulkBody;
    expect(body).toMatchObject({ created: 0, failed: 4 });
    expect(body.results.every((r) => r.status === 'error' && r.password === undefined && r.userId === undefined)).toBe(true);
    expect(body.results[1]!.error).toMatchObject({ code: 'API_ERR_CONFLICT' });
    expect(body.results[1]!.error!.detail).toContain('exists already');
    expect(body.results[3]!.error!.detail).toContain('item 0');
    expect(body.results[0]!.error!.detail).toContain('all-or-nothing');
    expect(await ctx.db.mqttUser.count({ where: { username: { startsWith: 'aon-' } } })).toBe(0);
  });

  it('best-effort: good items are written, bad ones report their error', async () => {
    const response = await bulk({ mode: 'best-effort', items: [{ username: 'be-1' }, { username: 'b-2' }, { username: 'be-1' }, { username: 'be-2', password: 'another-secret' }] });
    const body = response.json() as BulkBody;
    expect(body).toMatchObject({ created: 2, failed: 2 });
    expect(body.results.map((r) => r.status)).toEqual(['created', 'error', 'error', 'created']);
    expect(await ctx.db.mqttUser.count({ where: { username: { startsWith: 'be-' } } })).toBe(2);
  });

  it('validates the whole body: unknown fields, empty or oversized lists, bad items, roles', async () => {
    const item = { username: 'v-1' };
    for (const payload of [
      { mode: 'best-effort', items: [item], extra: 1 },
      { mode: 'best-effort', items: [{ ...item, color: 'red' }] },
      { mode: 'sometimes', items: [item] },
      { mode: 'best-effort', items: [] },
      { mode: 'best-effort', items: [{ username: '' }] },
      { mode: 'best-effort', items: [{ username: 'v-2', password: 'short' }] },
      { mode: 'best-effort', items: Array.from({ length: 5001 }, (_, i) => ({ username: `x${i}` })) },
    ]) {
      const response = await bulk(payload);
      expect(response.statusCode, JSON.stringify(payload).slice(0, 100)).toBe(400);
      expect(response.json().code).toBe('API_ERR_VALIDATION');
    }
    const items = (await bulk({ mode: 'best-effort', items: [{ ...item, color: 'red' }] })).json() as { errors: Array<{ pointer: string }> };
    expect(items.errors[0]!.pointer).toBe('/items/0');
    expect((await bulk({ mode: 'best-effort', items: [item] }, bearer(ctx.tokens.viewer))).statusCode).toBe(403);
    expect(await ctx.db.mqttUser.count({ where: { username: 'v-1' } })).toBe(0);
  });

  it('refuses a body over the bulk size limit with 413', async () => {
    const items = Array.from({ length: 5000 }, (_, i) => ({ username: `big-${i}-${'x'.repeat(200)}`, password: 'p'.repeat(900) }));
    const response = await bulk({ mode: 'best-effort', items });
    expect(response.statusCode).toBe(413);
    expect(response.json().code).toBe('API_ERR_PAYLOAD_TOO_LARGE');
  });

  // Not a performance assertion: many users with generated passwords go through in one request
  // (hashing in bounded parallel). Timings for 1,000 and 5,000: scripts/bench-bulk.ts.
  it('provisions 300 users with distinct generated passwords in one request', { timeout: 300_000 }, async () => {
    const items = Array.from({ length: 300 }, (_, i) => ({ username: `fleet-${String(i).padStart(4, '0')}` }));
    const started = performance.now();
    const response = await bulk({ mode: 'all-or-nothing', items });
    const seconds = (performance.now() - started) / 1000;
    expect(response.statusCode).toBe(200);
    const body = response.json() as BulkBody;
    expect(body).toMatchObject({ created: 300, failed: 0 });
    expect(new Set(body.results.map((r) => r.password)).size).toBe(300);
    expect(await ctx.db.credential.count({ where: { user: { username: { startsWith: 'fleet-' } } } })).toBe(300);
    console.log(`bulk: 300 users with generated argon2id passwords in ${seconds.toFixed(1)} s`);
  });
});
