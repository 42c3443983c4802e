import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApi, type ApiTestContext } from './api-helper.js';
import { closeAllClients, connectClient, eventually, startBroker, type BrokerProcess } from './broker-process.js';

interface ClientBody {
  clientId: string;
  connected: boolean;
  [key: string]: unknown;
}

describe('/api/v1/sessions and /api/v1/subscriptions with a running broker', () => {
  let ctx: ApiTestContext;
  let broker: BrokerProcess;
  beforeAll(async () => {
    ctx = await setupApi('sessions');
    broker = await startBroker(ctx.databaseUrl);
  }, 90_000);
  afterEach(closeAllClients);
  afterAll(async () => {
    await closeAllClients();
    await broker?.stop();
    await ctx?.close();
  });

  const get = (url: string) => ctx.app.inject({ method: 'GET', url, headers: bearer(ctx.tokens.viewer) });
  const as = (role: 'operator' | 'viewer') => bearer(ctx.tokens[role]);

  /** A persistent session with `queued` QoS 1 messages waiting, its client offline. */
  async function offlineSession(clientId: string, queued: number): Promise<void> {
    const client = await connectClient(broker.url, { clientId, clean: false, properties: { sessionExpiryInterval: 3600 } });
    await client.subscribeAsync(`queue/${clientId}`, { qos: 1 });
    await client.endAsync();
    await eventually(async () => ((await ctx.db.session.findUnique({ where: { clientId } }))?.disconnectedAt ? true : undefined), `${clientId} offline`);
    if (queued > 0) {
      const publisher = await connectClient(broker.url, { clientId: `${clientId}-pub` });
      for (let i = 0; i < queued; i++) await publisher.publishAsync(`queue/${clientId}`, `m${i}`, { qos: 1 });
      await publisher.endAsync();
    }
  }

  it('expiring an offline session removes it, its subscriptions and its queued messages (store and broker)', async () => {
    await offlineSession('expire-offline', 3);
    expect(await ctx.db.sessionMessage.count({ where: { sessionClientId: 'expire-offline' } })).toBe(3);
    const response = await ctx.app.inject({ method: 'DELETE', url: '/api/v1/clients/expire-offline/session', headers: as('operator') });
    expect(response.statusCode, response.body).toBe(204);
    expect(await ctx.db.session.findUnique({ where: { clientId: 'expire-offline' } })).toBeNull();
    expect(await ctx.db.subscription.count({ where: { sessionClientId: 'expire-offline' } })).toBe(0);
    expect(await ctx.db.sessionMessage.count({ where: { sessionClientId: 'expire-offline' } })).toBe(0);
    expect(await ctx.db.message.count({ where: { topic: 'queue/expire-offline' } })).toBe(0);
    // The broker let go of it too: the client starts a new session and receives nothing.
    const back = await connectClient(broker.url, { clientId: 'expire-offline', clean: false, properties: { sessionExpiryInterval: 3600 } });
    const received: string[] = [];
    back.on('message', (topic) => received.push(topic));
    expect((back as unknown as { connackPacket: { sessionPresent: boolean } }).connackPacket.sessionPresent).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toEqual([]);
    expect((await ctx.db.auditEvent.findFirst({ where: { action: 'session.expire', resourceId: 'expire-offline' } }))?.before).toMatchObject({ connected: false });
    expect((await ctx.app.inject({ method: 'DELETE', url: '/api/v1/clients/expire-offline-nope/session', headers: as('operator') })).statusCode).toBe(404);
  });

  it('expiring an online session disconnects the client (0x98) and discards its session', async () => {
    const client = await connectClient(broker.url, { clientId: 'expire-online', clean: false, properties: { sessionExpiryInterval: 3600 } });
    await eventually(async () => ((await ctx.db.clientPresence.findUnique({ where: { clientId: 'expire-online' } })) ? true : undefined), 'presence');
    const reason = new Promise<number | undefined>((resolve) => client.once('disconnect', (packet) => resolve(packet.reasonCode)));
    const response = await ctx.app.inject({ method: 'DELETE', url: '/api/v1/clients/expire-online/session', headers: as('operator') });
    expect(response.statusCode, response.body).toBe(204);
    expect(await reason).toBe(0x98);
    expect(await ctx.db.session.findUnique({ where: { clientId: 'expire-online' } })).toBeNull();
    expect((await ctx.app.inject({ method: 'DELETE', url: '/api/v1/clients/expire-online/session', headers: as('viewer') })).statusCode).toBe(403);
  });

  it('lists persistent sessions, offline ones by how long they have been offline', async () => {
    await offlineSession('listed-offline', 0);
    const connected = await connectClient(broker.url, { clientId: 'listed-online', clean: false, properties: { sessionExpiryInterval: 60 } });
    await connectClient(broker.url, { clientId: 'listed-clean' });
    await eventually(async () => ((await ctx.db.clientPresence.count({ where: { clientId: { in: ['listed-online', 'listed-clean'] } } })) === 2 ? true : undefined), 'presence');
    const all = (await get('/api/v1/sessions?limit=100')).json() as { items: ClientBody[] };
    const ids = all.items.map((s) => s.clientId);
    expect(ids).toEqual(expect.arrayContaining(['listed-offline', 'listed-online']));
    expect(ids).not.toContain('listed-clean');
    expect(all.items.find((s) => s.clientId === 'listed-online')?.connected).toBe(true);
    const offline = (await get('/api/v1/sessions?offlineForSeconds=0&limit=100')).json() as { items: ClientBody[] };
    expect(offline.items.map((s) => s.clientId)).toContain('listed-offline');
    expect(offline.items.every((s) => !s.connected)).toBe(true);
    const longOffline = (await get('/api/v1/sessions?offlineForSeconds=86400')).json() as { items: ClientBody[] };
    expect(longOffline.items).toEqual([]);
    connected.end(true);
  });

  it('lists subscriptions across clients, by topic filter and client id', async () => {
    const client = await connectClient(broker.url, { clientId: 'subs-1', clean: false, properties: { sessionExpiryInterval: 600 } });
    await client.subscribeAsync({ 'subs/a': { qos: 1 }, 'subs/b/#': { qos: 2, nl: true, properties: undefined } as never });
    await offlineSession('subs-2', 0);
    const subs = await eventually(async () => {
      const body = (await get('/api/v1/subscriptions?clientId=subs-1')).json() as { items: Array<Record<string, unknown>> };
      return body.items.length === 2 && body.items.every((item) => item.connected) ? body.items : undefined;
    }, 'subscriptions stored and client present');
    expect(subs).toEqual([
      { clientId: 'subs-1', topicFilter: 'subs/a', qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0, subscriptionIdentifier: null, connected: true },
      { clientId: 'subs-1', topicFilter: 'subs/b/#', qos: 2, noLocal: true, retainAsPublished: false, retainHandling: 0, subscriptionIdentifier: null, connected: true },
    ]);
    const byFilter = (await get(`/api/v1/subscriptions?topicFilter=${encodeURIComponent('queue/subs-2')}`)).json() as { items: Array<{ clientId: string; connected: boolean }> };
    expect(byFilter.items).toEqual([expect.objectContaining({ clientId: 'subs-2', connected: false })]);
    const first = (await get('/api/v1/subscriptions?limit=1')).json() as { items: unknown[]; nextCursor: string | null };
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).not.toBeNull();
    const second = (await get(`/api/v1/subscriptions?limit=1&cursor=${first.nextCursor}`)).json() as { items: unknown[] };
    expect(second.items).not.toEqual(first.items);
  });

  it('bulk expiry runs as a job with progress and removes the selected offline sessions only', async () => {
    for (let i = 0; i < 5; i++) await offlineSession(`bulk-${i}`, 1);
    const online = await connectClient(broker.url, { clientId: 'bulk-online', clean: false, properties: { sessionExpiryInterval: 600 } });
    await eventually(async () => ((await ctx.db.clientPresence.findUnique({ where: { clientId: 'bulk-online' } })) ? true : undefined), 'presence');
    expect((await ctx.app.inject({ method: 'POST', url: '/api/v1/sessions/expire-jobs', payload: { offlineForSeconds: 0 }, headers: as('viewer') })).statusCode).toBe(403);
    const none = await ctx.app.inject({ method: 'POST', url: '/api/v1/sessions/expire-jobs', payload: { offlineForSeconds: 0, usernamePrefix: 'nobody-' }, headers: as('operator') });
    expect(none.statusCode, none.body).toBe(202);
    expect(none.json()).toMatchObject({ total: 0 });
    const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/sessions/expire-jobs', payload: { offlineForSeconds: 0 }, headers: as('operator') });
    expect(created.statusCode, created.body).toBe(202);
    const job = created.json() as { id: string; status: string; total: number; done: number };
    expect(job.status).toBe('running');
    expect(job.total).toBeGreaterThanOrEqual(5);
    const finished = await eventually(async () => {
      const body = (await get(`/api/v1/sessions/expire-jobs/${job.id}`)).json() as { status: string; total: number; done: number; finishedAt: string | null };
      return body.status === 'running' ? undefined : body;
    }, 'job finished');
    expect(finished).toMatchObject({ status: 'done', done: job.total });
    expect(finished.finishedAt).not.toBeNull();
    expect(await ctx.db.session.count({ where: { clientId: { startsWith: 'bulk-' }, disconnectedAt: { not: null } } })).toBe(0);
    expect(await ctx.db.sessionMessage.count({ where: { sessionClientId: { startsWith: 'bulk-' } } })).toBe(0);
    // The connected one is not offline: untouched.
    expect(await ctx.db.session.findUnique({ where: { clientId: 'bulk-online' } })).not.toBeNull();
    expect(online.connected).toBe(true);
    expect((await get('/api/v1/sessions/expire-jobs/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect(await ctx.db.auditEvent.count({ where: { action: 'session.expire-job.create' } })).toBe(2);
  });
});
