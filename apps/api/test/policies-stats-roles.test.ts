import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOpenApiProblems } from './openapi-document.js';
import { bearer, setupApi, type ApiTestContext } from './api-helper.js';

/** Role x route for session policies and stats: viewers read, operators (and admins) also write, anonymous gets 401. */
describe('roles on /session-policies and /stats', () => {
  let ctx: ApiTestContext;
  let policyId: string;
  beforeAll(async () => {
    ctx = await setupApi('policy_roles');
    const row = await ctx.db.sessionPolicy.create({ data: { targetType: 'group', targetName: 'matrix' } });
    policyId = row.id;
    await ctx.db.sysSnapshot.create({ data: { node: 'n', at: new Date(), topics: {} } });
  });
  afterAll(async () => {
    await ctx?.close();
  });

  type Route = { method: 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE'; url: () => string; payload?: () => object; write: boolean };
  const routes: Route[] = [
    { method: 'GET', url: () => '/api/v1/session-policies/default', write: false },
    { method: 'PUT', url: () => '/api/v1/session-policies/default', payload: () => ({ maxQueued: 10 }), write: true },
    { method: 'GET', url: () => '/api/v1/session-policies', write: false },
    { method: 'POST', url: () => '/api/v1/session-policies', payload: () => ({ target: { type: 'user', name: `u-${Math.random()}` } }), write: true },
    { method: 'GET', url: () => `/api/v1/session-policies/${policyId}`, write: false },
    { method: 'PATCH', url: () => `/api/v1/session-policies/${policyId}`, payload: () => ({ maxQueued: 3 }), write: true },
    { method: 'GET', url: () => '/api/v1/stats', write: false },
    { method: 'GET', url: () => '/api/v1/stats/series?minutes=5', write: false },
    { method: 'GET', url: () => '/api/v1/stats/sys', write: false },
  ];

  it('the OpenAPI document lists every session-policy, stats and metrics operation, and stays valid', async () => {
    const document = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { operationId: string }>> };
    expect(findOpenApiProblems(document)).toEqual([]);
    const ids = Object.values(document.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    for (const id of ['getDefaultSessionPolicy', 'putDefaultSessionPolicy', 'listSessionPolicies', 'createSessionPolicy', 'getSessionPolicy', 'updateSessionPolicy', 'deleteSessionPolicy', 'getStats', 'getStatsSeries', 'getSysSnapshot', 'getApiMetrics']) {
      expect(ids, id).toContain(id);
    }
  });

  it('anonymous 401; viewer reads, 403 on writes; operator and admin read and write', async () => {
    for (const route of routes) {
      const send = (headers: Record<string, string>) => ctx.app.inject({ method: route.method, url: route.url(), headers, ...(route.payload ? { payload: route.payload() } : {}) });
      const label = `${route.method} ${route.url()}`;
      expect((await send({})).statusCode, `anonymous ${label}`).toBe(401);
      const asViewer = (await send(bearer(ctx.tokens.viewer))).statusCode;
      expect(asViewer, `viewer ${label}`).toBe(route.write ? 403 : 200);
      for (const role of ['operator', 'admin'] as const) {
        const status = (await send(bearer(ctx.tokens[role]))).statusCode;
        expect([200, 201], `${role} ${label}: ${status}`).toContain(status);
      }
    }
    // Delete last (it removes the override the other routes use).
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/session-policies/${policyId}` })).statusCode).toBe(401);
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/session-policies/${policyId}`, headers: bearer(ctx.tokens.viewer) })).statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/session-policies/${policyId}`, headers: bearer(ctx.tokens.operator) })).statusCode).toBe(204);
  });
});
