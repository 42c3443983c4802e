import { ControlChannel } from '@repo/control';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isIpOrCidr } from '../src/modules/bans/bans.service.js';
import { findOpenApiProblems } from './openapi-document.js';
import { bearer, listen, setupApi, type ApiTestContext } from './api-helper.js';

describe('/api/v1/bans', () => {
  let ctx: ApiTestContext;
  beforeAll(async () => {
    ctx = await setupApi('bans');
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('adds, lists (paginated, by kind) and removes bans; audits and NOTIFYs bansChanged', async () => {
    const operator = bearer(ctx.tokens.operator);
    const viewer = bearer(ctx.tokens.viewer);
    const notifications = await listen(ctx.databaseUrl, ControlChannel.bansChanged);
    try {
      expect((await ctx.app.inject({ method: 'POST', url: '/api/v1/bans', headers: viewer, payload: { kind: 'ip', value: '10.0.0.1' } })).statusCode).toBe(403);
      const ids: string[] = [];
      for (const payload of [
        { kind: 'ip', value: '10.0.0.0/8', reason: 'scanner' },
        { kind: 'username', value: 'mallory' },
        { kind: 'client_id', value: 'bad-client', expiresAt: new Date(Date.now() + 3_600_000).toISOString() },
      ]) {
        const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/bans', headers: operator, payload });
        expect(response.statusCode, response.body).toBe(201);
        expect(response.json()).toMatchObject({ kind: payload.kind, value: payload.value });
        ids.push((response.json() as { id: string }).id);
        expect(await notifications.next()).toBe('');
      }

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/api/v1/bans?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const body = (await ctx.app.inject({ method: 'GET', url, headers: viewer })).json() as { items: Array<{ id: string }>; nextCursor: string | null };
        seen.push(...body.items.map((b) => b.id));
        cursor = body.nextCursor;
      } while (cursor);
      expect(seen.sort()).toEqual([...ids].sort());
      const ipOnly = (await ctx.app.inject({ method: 'GET', url: '/api/v1/bans?kind=ip', headers: viewer })).json() as { items: Array<{ value: string }> };
      expect(ipOnly.items.map((b) => b.value)).toEqual(['10.0.0.0/8']);

      const del = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/bans/${ids[0]}`, headers: operator });
      expect(del.statusCode).toBe(204);
      expect(await notifications.next()).toBe('');
      expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/bans/${ids[0]}`, headers: operator })).statusCode).toBe(404);
      expect(await ctx.db.auditEvent.count({ where: { resourceType: 'ban' } })).toBe(4);
    } finally {
      await notifications.stop();
    }
  });

  it('validates kind, IP/CIDR values, expiry and unknown fields', async () => {
    const operator = bearer(ctx.tokens.operator);
    for (const [payload, pointer] of [
      [{ kind: 'ip', value: 'not-an-ip' }, '/value'],
      [{ kind: 'ip', value: '10.0.0.0/33' }, '/value'],
      [{ kind: 'host', value: 'x' }, '/kind'],
      [{ kind: 'username', value: 'x', expiresAt: '2000-01-01T00:00:00Z' }, '/expiresAt'],
      [{ kind: 'username', value: 'x', extra: 1 }, ''],
    ] as const) {
      const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/bans', headers: operator, payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      const body = response.json() as { code: string; errors?: Array<{ pointer: string }> };
      expect(body.code).toBe('API_ERR_VALIDATION');
      if (pointer) expect(body.errors?.map((e) => e.pointer)).toContain(pointer);
    }
  });

  it('isIpOrCidr', () => {
    expect(isIpOrCidr('192.0.2.1')).toBe(true);
    expect(isIpOrCidr('2001:db8::/32')).toBe(true);
    expect(isIpOrCidr('2001:db8::/129')).toBe(false);
    expect(isIpOrCidr('1.2.3.4/8/9')).toBe(false);
  });
});

describe('OpenAPI document of /api/v1', () => {
  it('lists every operationId of the API', async () => {
    const ctx = await setupApi('openapi');
    try {
      const document = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { operationId?: string }>> };
      const ids = Object.values(document.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
      expect(ids).toEqual(
        expect.arrayContaining([
          'login', 'createApiToken', 'listApiTokens', 'deleteApiToken',
          'createMqttUser', 'listMqttUsers', 'getMqttUser', 'updateMqttUser', 'deleteMqttUser',
          'createCredential', 'listCredentials', 'revokeCredential', 'deleteCredential',
          'createAclRule', 'listAclRules', 'getAclRule', 'updateAclRule', 'deleteAclRule', 'explainAcl',
          'listBans', 'addBan', 'removeBan',
        ]),
      );
      expect(ids.every((id) => typeof id === 'string')).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
      expect(findOpenApiProblems(document)).toEqual([]);
    } finally {
      await ctx.close();
    }
  });
});
