import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApi, type ApiTestContext } from './api-helper.js';
import { closeAllClients, connectClient, eventually, startBroker, type BrokerProcess } from './broker-process.js';

interface ClientBody {
  clientId: string;
  connected: boolean;
  [key: string]: unknown;
}

describe('/api/v1/clients with a running broker', () => {
  let ctx: ApiTestContext;
  let broker: BrokerProcess;
  beforeAll(async () => {
    ctx = await setupApi('clients');
    broker = await startBroker(ctx.databaseUrl);
  }, 90_000);
  afterEach(closeAllClients);
  afterAll(async () => {
    await closeAllClients();
    await broker?.stop();
    await ctx?.close();
  });

  const get = (url: string, role: 'viewer' | 'operator' = 'viewer') => ctx.app.inject({ method: 'GET', url, headers: bearer(ctx.tokens[role]) });
  const post = (url: string, payload: object, role: 'viewer' | 'operator' = 'operator') => ctx.app.inject({ method: 'POST', url, payload, headers: bearer(ctx.tokens[role]) });
  const listed = async (clientId: string): Promise<ClientBody | undefined> => {
    const body = (await get(`/api/v1/clients?q=${encodeURIComponent(clientId)}&limit=100`)).json() as { items: ClientBody[] };
    return body.items.find((c) => c.clientId === clientId);
  };
  const waitConnected = (clientId: string) => eventually(async () => ((await listed(clientId))?.connected ? true : undefined), `${clientId} listed as connected`);

  it('lists a connected client within 2 s with its connection fields', async () => {
    const started = Date.now();
    const client = await connectClient(broker.url, { clientId: 'list/me', keepalive: 33, clean: false, properties: { sessionExpiryInterval: 120 } });
    const row = await eventually(async () => {
      const found = await listed('list/me');
      return found?.connected ? found : undefined;
    }, 'client listed');
    // Written by the connect flush (~200 ms after CONNACK), not by the 5 s counter refresh.
    expect(Date.now() - started).toBeLessThan(4000);
    expect(row).toMatchObject({
      clientId: 'list/me', username: null, connected: true, ip: '127.0.0.1', protocolVersion: 5, keepAlive: 33, cleanStart: false,
      sessionExpiryInterval: 120, disconnectedAt: null, node: 'node-1',
    });
    expect(row.port).toEqual(expect.any(Number));
    expect(Date.parse(row.connectedAt as string)).not.toBeNaN();
    await client.endAsync();
    // A persistent session stays listed, offline.
    const offline = await eventually(async () => {
      const found = await listed('list/me');
      return found && !found.connected ? found : undefined;
    }, 'client offline');
    expect(offline).toMatchObject({ connected: false, ip: null, keepAlive: null, node: null, sessionExpiryInterval: 120 });
    expect(Date.parse(offline.disconnectedAt as string)).not.toBeNaN();
  });

  it('filters (connected, protocolVersion, q, username), sorts and paginates', async () => {
    const ids = ['page-a', 'page-b', 'page-c', 'page-d'];
    for (const id of ids) await connectClient(broker.url, { clientId: id });
    await connectClient(broker.url, { clientId: 'page-v4', protocolVersion: 4 });
    for (const id of [...ids, 'page-v4']) await waitConnected(id);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/clients?q=page-&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const body = (await get(url)).json() as { items: ClientBody[]; nextCursor: string | null };
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((c) => c.clientId));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['page-a', 'page-b', 'page-c', 'page-d', 'page-v4']);

    const v4 = (await get('/api/v1/clients?q=page-&protocolVersion=4')).json() as { items: ClientBody[] };
    expect(v4.items.map((c) => c.clientId)).toEqual(['page-v4']);
    const newest = (await get('/api/v1/clients?q=page-&sort=-connectedAt&limit=1')).json() as { items: ClientBody[]; nextCursor: string };
    expect(newest.items[0]!.clientId).toBe('page-v4');
    const rest = (await get(`/api/v1/clients?q=page-&sort=-connectedAt&limit=10&cursor=${newest.nextCursor}`)).json() as { items: ClientBody[] };
    expect(rest.items.map((c) => c.clientId)).not.toContain('page-v4');
    expect(rest.items).toHaveLength(4);
    const oldestFirst = (await get('/api/v1/clients?q=page-&sort=connectedAt&limit=10')).json() as { items: ClientBody[] };
    expect(oldestFirst.items.at(-1)!.clientId).toBe('page-v4');
    const offline = (await get('/api/v1/clients?q=page-&connected=false')).json() as { items: ClientBody[] };
    expect(offline.items).toEqual([]);
    const byUser = (await get('/api/v1/clients?q=page-&username=nobody')).json() as { items: ClientBody[] };
    expect(byUser.items).toEqual([]);
  });

  it('shows a client with its subscriptions, queued and in-flight messages (connected: from the broker; offline: from the store)', async () => {
    const client = await connectClient(broker.url, { clientId: 'detail-1', clean: false, properties: { sessionExpiryInterval: 600 } });
    await client.subscribeAsync('detail/#', { qos: 1, nl: true, rh: 2 });
    await client.subscribeAsync('other/+', { qos: 0, properties: { subscriptionIdentifier: 7 } });
    await waitConnected('detail-1');
    const online = (await get(`/api/v1/clients/detail-1`)).json() as { subscriptionList: unknown[]; queuedMessages: unknown[] };
    expect(online.subscriptionList).toEqual([
      { topicFilter: 'detail/#', qos: 1, noLocal: true, retainAsPublished: false, retainHandling: 2, subscriptionIdentifier: null },
      { topicFilter: 'other/+', qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0, subscriptionIdentifier: 7 },
    ]);
    expect(online.queuedMessages).toEqual([]);
    await client.endAsync();
    await eventually(async () => ((await listed('detail-1'))?.connected === false ? true : undefined), 'offline');

    const publisher = await connectClient(broker.url, { clientId: 'detail-pub' });
    await publisher.publishAsync('detail/x', 'one', { qos: 1 });
    await publisher.publishAsync('detail/y', 'three', { qos: 1 });
    const detail = await eventually(async () => {
      const body = (await get('/api/v1/clients/detail-1')).json() as { queued: number; queuedMessages: Array<{ topic: string; qos: number; payloadSize: number; enqueuedAt: string }>; subscriptionList: unknown[] };
      return body.queuedMessages.length === 2 ? body : undefined;
    }, 'queued messages');
    expect(detail.queued).toBe(2);
    expect(detail.queuedMessages.map((m) => [m.topic, m.qos, m.payloadSize])).toEqual([['detail/x', 1, 3], ['detail/y', 1, 5]]);
    expect(detail.subscriptionList).toHaveLength(2);
    expect((await get('/api/v1/clients/no-such-client')).statusCode).toBe(404);
  });

  describe('kick', () => {
    async function kickScenario(clientId: string, session: 'keep' | 'discard', will: 'send' | 'suppress') {
      const watcher = await connectClient(broker.url, { clientId: `${clientId}-watcher` });
      const wills: string[] = [];
      watcher.on('message', (topic) => wills.push(topic));
      await watcher.subscribeAsync(`wills/${clientId}`);
      const client = await connectClient(broker.url, { clientId, clean: false, properties: { sessionExpiryInterval: 600 }, will: { topic: `wills/${clientId}`, payload: Buffer.from('bye'), qos: 0, retain: false } });
      await waitConnected(clientId);
      const reason = new Promise<number | undefined>((resolve) => client.once('disconnect', (packet) => resolve(packet.reasonCode)));
      const response = await post(`/api/v1/clients/${encodeURIComponent(clientId)}/kick`, { session, will });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toEqual({ clientId, kicked: true, sessionDiscarded: session === 'discard', willPublished: will === 'send', bannedUntil: null });
      // [MQTT-3.14.2-1] the server's DISCONNECT carries 0x98 Administrative action.
      expect(await reason).toBe(0x98);
      if (will === 'send') await eventually(() => (wills.length === 1 ? true : undefined), 'will delivered');
      const session$ = await ctx.db.session.findUnique({ where: { clientId } });
      expect(session$ === null).toBe(session === 'discard');
      // The will is published (or not) before the API answers: nothing more arrives.
      await new Promise((r) => setTimeout(r, 300));
      expect(wills).toHaveLength(will === 'send' ? 1 : 0);
      return client;
    }

    it('[MQTT-3.14.2-1] session keep, will send', async () => {
      await kickScenario('kick-keep-send', 'keep', 'send');
      const again = await connectClient(broker.url, { clientId: 'kick-keep-send', clean: false, properties: { sessionExpiryInterval: 600 } });
      await eventually(() => (again.connected ? true : undefined), 'reconnected');
    });
    it('[MQTT-3.14.2-1] session keep, will suppress', async () => {
      await kickScenario('kick-keep-suppress', 'keep', 'suppress');
    });
    it('[MQTT-3.14.2-1] session discard, will send', async () => {
      await kickScenario('kick-discard-send', 'discard', 'send');
    });
    it('[MQTT-3.14.2-1] session discard, will suppress', async () => {
      await kickScenario('kick-discard-suppress', 'discard', 'suppress');
    });

    it('a reconnecting client finds its kept session, not a discarded one', async () => {
      const kept = await connectClient(broker.url, { clientId: 'kick-present', clean: false, properties: { sessionExpiryInterval: 600 } });
      await kept.subscribeAsync('kept/#', { qos: 1 });
      await waitConnected('kick-present');
      expect((await post('/api/v1/clients/kick-present/kick', { session: 'keep', will: 'send' })).statusCode).toBe(200);
      const back = await connectClient(broker.url, { clientId: 'kick-present', clean: false, properties: { sessionExpiryInterval: 600 } });
      expect(sessionPresent(back)).toBe(true);
      await waitConnected('kick-present');
      expect((await post('/api/v1/clients/kick-present/kick', { session: 'discard', will: 'send' })).statusCode).toBe(200);
      const fresh = await connectClient(broker.url, { clientId: 'kick-present', clean: false, properties: { sessionExpiryInterval: 600 } });
      expect(sessionPresent(fresh)).toBe(false);
    });

    it('kicking a 3.1.1 client closes its socket', async () => {
      const client = await connectClient(broker.url, { clientId: 'kick-v4', protocolVersion: 4 });
      await waitConnected('kick-v4');
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      const response = await post('/api/v1/clients/kick-v4/kick', { session: 'discard', will: 'suppress' });
      expect(response.statusCode, response.body).toBe(200);
      await closed;
      expect(client.connected).toBe(false);
    });

    it('kick with banSeconds refuses the reconnection (0x8A Banned) and audits', async () => {
      const client = await connectClient(broker.url, { clientId: 'kick-ban' });
      await waitConnected('kick-ban');
      const response = await post('/api/v1/clients/kick-ban/kick', { session: 'discard', will: 'suppress', banSeconds: 600 });
      expect(response.statusCode, response.body).toBe(200);
      const bannedUntil = Date.parse((response.json() as { bannedUntil: string }).bannedUntil);
      expect(bannedUntil - Date.now()).toBeGreaterThan(590_000);
      expect(client.connected).toBe(false);
      const refused = await connectClient(broker.url, { clientId: 'kick-ban' }).then(
        () => undefined,
        (error: { code?: number }) => error,
      );
      expect(refused?.code).toBe(0x8a);
      expect(await ctx.db.ban.count({ where: { kind: 'client_id', value: 'kick-ban' } })).toBe(1);
      const audit = await ctx.db.auditEvent.findFirst({ where: { action: 'client.kick', resourceId: 'kick-ban' } });
      expect(audit?.actor).toContain('operator');
      expect(audit?.after).toMatchObject({ kicked: true, sessionDiscarded: true, willPublished: false });
    });

    it('404 when the client is not connected; viewers may not kick', async () => {
      const missing = await post('/api/v1/clients/not-here/kick', { session: 'keep', will: 'send' });
      expect(missing.statusCode).toBe(404);
      expect(missing.headers['content-type']).toContain('application/problem+json');
      expect((await post('/api/v1/clients/not-here/kick', { session: 'keep', will: 'send' }, 'viewer')).statusCode).toBe(403);
    });
  });
});

/** Session Present of the CONNACK the client received. */
function sessionPresent(client: MqttClient): boolean {
  return (client as unknown as { connackPacket?: { sessionPresent: boolean } }).connackPacket?.sessionPresent ?? false;
}
