import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApi, type ApiTestContext } from './api-helper.js';
import { expectProblemShape } from './helper.js';
import { findOpenApiProblems } from './openapi-document.js';

/** No broker runs on this database: commands time out; validation happens before any command. */
describe('clients, sessions, retained and publish without a broker', () => {
  let ctx: ApiTestContext;
  beforeAll(async () => {
    ctx = await setupApi('clients_validation', { brokerCommandTimeoutMs: 800 });
    // A client that presence says is connected to a node that no longer answers.
    await ctx.db.clientPresence.create({ data: { clientId: 'stale', node: 'gone-node', protocolVersion: 5, keepAlive: 60, cleanStart: true, sessionExpiryInterval: 0n, connectedAt: new Date() } });
  });
  afterAll(async () => {
    await ctx?.close();
  });

  const request = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object, role: 'viewer' | 'operator' | 'admin' | null = 'operator') =>
    ctx.app.inject({ method, url, ...(payload ? { payload } : {}), headers: role ? bearer(ctx.tokens[role]) : {} });

  it('answers 504 API_ERR_BROKER_TIMEOUT when no broker answers a command', async () => {
    for (const [method, url, payload] of [
      ['POST', '/api/v1/clients/stale/kick', { session: 'keep', will: 'send' }],
      ['DELETE', '/api/v1/clients/stale/session', undefined],
      ['GET', '/api/v1/clients/stale', undefined],
      ['POST', '/api/v1/retained/delete', { filter: '#' }],
      ['POST', '/api/v1/publish', { topic: 'a', payload: 'x', payloadEncoding: 'utf8', qos: 0 }],
    ] as const) {
      const response = await request(method, url, payload);
      expect(response.statusCode, `${method} ${url}`).toBe(504);
      expect(response.headers['content-type']).toContain('application/problem+json');
      const body = response.json() as unknown;
      expectProblemShape(body);
      expect(body.code).toBe('API_ERR_BROKER_TIMEOUT');
    }
    // The command rows stay pending: no node took them.
    expect(await ctx.db.brokerCommand.count({ where: { status: 'pending' } })).toBe(5);
    // Nothing was audited for actions that did not happen.
    expect(await ctx.db.auditEvent.count({ where: { action: { in: ['client.kick', 'session.expire', 'retained.bulk-delete', 'message.publish'] } } })).toBe(0);
  });

  it('a kick with a ban that times out still records the ban (the operator asked for it)', async () => {
    const response = await request('POST', '/api/v1/clients/stale/kick', { session: 'discard', will: 'suppress', banSeconds: 60 });
    expect(response.statusCode).toBe(504);
    expect(await ctx.db.ban.count({ where: { value: 'stale' } })).toBe(1);
  });

  it('rejects bad bodies, bad client ids, oversized pages and bad cursors with problem+json naming the field', async () => {
    const cases: Array<[string, 'GET' | 'POST', string, object | undefined, string]> = [
      ['kick without options', 'POST', '/api/v1/clients/a/kick', {}, '/session'],
      ['kick bad session', 'POST', '/api/v1/clients/a/kick', { session: 'maybe', will: 'send' }, '/session'],
      ['kick ban too long', 'POST', '/api/v1/clients/a/kick', { session: 'keep', will: 'send', banSeconds: 604801 }, '/banSeconds'],
      ['kick ban zero', 'POST', '/api/v1/clients/a/kick', { session: 'keep', will: 'send', banSeconds: 0 }, '/banSeconds'],
      ['kick unknown field', 'POST', '/api/v1/clients/a/kick', { session: 'keep', will: 'send', force: true }, ''],
      ['client id too long', 'GET', `/api/v1/clients/${'x'.repeat(300)}`, undefined, '/clientId'],
      ['limit too large', 'GET', '/api/v1/clients?limit=101', undefined, '/limit'],
      ['limit zero', 'GET', '/api/v1/sessions?limit=0', undefined, '/limit'],
      ['bad sort', 'GET', '/api/v1/clients?sort=ip', undefined, '/sort'],
      ['bad protocol version', 'GET', '/api/v1/clients?protocolVersion=6', undefined, '/protocolVersion'],
      ['bad cursor', 'GET', '/api/v1/clients?cursor=bm9wZQ', undefined, '/cursor'],
      ['bad subscriptions cursor', 'GET', '/api/v1/subscriptions?cursor=bm9wZQ', undefined, '/cursor'],
      ['negative offline', 'GET', '/api/v1/sessions?offlineForSeconds=-1', undefined, '/offlineForSeconds'],
      ['job without offlineForSeconds', 'POST', '/api/v1/sessions/expire-jobs', {}, '/offlineForSeconds'],
      ['job bad prefix', 'POST', '/api/v1/sessions/expire-jobs', { offlineForSeconds: 1, usernamePrefix: '' }, '/usernamePrefix'],
      ['bulk delete bad filter', 'POST', '/api/v1/retained/delete', { filter: 'a/#/b' }, '/filter'],
      ['retained limit', 'GET', '/api/v1/retained?limit=1000', undefined, '/limit'],
      ['retained message without topic', 'GET', '/api/v1/retained/message', undefined, '/topic'],
      ['bad job id', 'GET', '/api/v1/sessions/expire-jobs/not-a-uuid', undefined, '/jobId'],
    ];
    for (const [name, method, url, payload, pointer] of cases) {
      const response = await request(method, url, payload);
      expect(response.statusCode, name).toBe(400);
      const body = response.json() as unknown;
      expectProblemShape(body);
      expect(body.code, name).toBe('API_ERR_VALIDATION');
      if (pointer) expect(body.errors?.map((e) => e.pointer), name).toContain(pointer);
    }
  });

  it('does not list clients of a node that stopped refreshing its presence rows', async () => {
    const old = new Date(Date.now() - 5 * 60_000);
    await ctx.db.clientPresence.create({ data: { clientId: 'dead-node-client', node: 'dead-node', protocolVersion: 4, keepAlive: 60, cleanStart: true, sessionExpiryInterval: 0n, connectedAt: old, updatedAt: old } });
    const body = (await request('GET', '/api/v1/clients?limit=100', undefined, 'viewer')).json() as { items: Array<{ clientId: string }> };
    expect(body.items.map((c) => c.clientId)).toContain('stale');
    expect(body.items.map((c) => c.clientId)).not.toContain('dead-node-client');
  });

  it('roles: anonymous 401, viewer reads only, operator acts', async () => {
    const reads = ['/api/v1/clients', '/api/v1/clients/stale-offline', '/api/v1/sessions', '/api/v1/subscriptions', '/api/v1/retained', '/api/v1/retained/message?topic=a'];
    for (const url of reads) {
      expect((await request('GET', url, undefined, null)).statusCode, url).toBe(401);
      expect([200, 404], url).toContain((await request('GET', url, undefined, 'viewer')).statusCode);
    }
    const writes: Array<['POST' | 'DELETE', string, object | undefined]> = [
      ['POST', '/api/v1/clients/x/kick', { session: 'keep', will: 'send' }],
      ['DELETE', '/api/v1/clients/x/session', undefined],
      ['POST', '/api/v1/sessions/expire-jobs', { offlineForSeconds: 1 }],
      ['DELETE', '/api/v1/retained/message?topic=a', undefined],
      ['POST', '/api/v1/retained/delete', { filter: 'a' }],
      ['POST', '/api/v1/publish', { topic: 'a', payload: 'x', payloadEncoding: 'utf8', qos: 0 }],
    ];
    for (const [method, url, payload] of writes) {
      expect((await request(method, url, payload, null)).statusCode, url).toBe(401);
      expect((await request(method, url, payload, 'viewer')).statusCode, url).toBe(403);
    }
    // Operators get through to the service (404 for what does not exist).
    expect((await request('DELETE', '/api/v1/clients/x/session')).statusCode).toBe(404);
    expect((await request('POST', '/api/v1/clients/x/kick', { session: 'keep', will: 'send' })).statusCode).toBe(404);
  });

  it('documents every operation with an operationId', async () => {
    const document = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { operationId?: string }>> };
    const ids = Object.values(document.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(ids).toEqual(
      expect.arrayContaining([
        'listClients', 'getClient', 'kickClient', 'expireClientSession', 'listSessions', 'createSessionExpireJob', 'getSessionExpireJob',
        'listSubscriptions', 'listRetainedMessages', 'getRetainedMessage', 'deleteRetainedMessage', 'deleteRetainedMessages', 'publishMessage',
      ]),
    );
    expect(findOpenApiProblems(document)).toEqual([]);
  });
});
