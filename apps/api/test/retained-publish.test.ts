import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApi, type ApiTestContext } from './api-helper.js';
import { closeAllClients, connectClient, eventually, startBroker, type BrokerProcess } from './broker-process.js';

interface RetainedItem {
  topic: string;
  payloadPreview: string | null;
  [key: string]: unknown;
}

describe('/api/v1/retained and /api/v1/publish with a running broker', () => {
  let ctx: ApiTestContext;
  let broker: BrokerProcess;
  beforeAll(async () => {
    ctx = await setupApi('retained');
    broker = await startBroker(ctx.databaseUrl);
  }, 90_000);
  afterEach(closeAllClients);
  afterAll(async () => {
    await closeAllClients();
    await broker?.stop();
    await ctx?.close();
  });

  const viewer = () => bearer(ctx.tokens.viewer);
  const operator = () => bearer(ctx.tokens.operator);
  const list = async (filter: string, extra = ''): Promise<{ items: RetainedItem[]; nextCursor: string | null }> =>
    (await ctx.app.inject({ method: 'GET', url: `/api/v1/retained?filter=${encodeURIComponent(filter)}${extra}`, headers: viewer() })).json() as { items: RetainedItem[]; nextCursor: string | null };

  /** Retained messages a new subscriber to `filter` receives (waits a moment for them). */
  async function retainedFor(filter: string, expected: number): Promise<string[]> {
    const client = await connectClient(broker.url, { clientId: `probe-${Math.random().toString(36).slice(2)}` });
    const topics: string[] = [];
    client.on('message', (topic, _payload, packet) => {
      if (packet.retain) topics.push(topic);
    });
    await client.subscribeAsync(filter, { qos: 1 });
    if (expected > 0) await eventually(() => (topics.length >= expected ? true : undefined), `${expected} retained messages`);
    else await new Promise((r) => setTimeout(r, 300));
    client.end(true);
    return topics.sort();
  }

  beforeAll(async () => {
    const publisher = await connectClient(broker.url, { clientId: 'retainer', protocolVersion: 5 });
    await publisher.publishAsync('site/1/temp', '21.5', { qos: 1, retain: true, properties: { contentType: 'text/plain', userProperties: { unit: 'C' }, payloadFormatIndicator: true } });
    await publisher.publishAsync('site/2/temp', '19.0', { qos: 1, retain: true });
    await publisher.publishAsync('site/1/hum', Buffer.from([0xff, 0xfe, 0x00]), { qos: 0, retain: true });
    await publisher.publishAsync('other/x', 'y'.repeat(300), { qos: 1, retain: true });
    await publisher.endAsync();
    await eventually(async () => ((await ctx.db.retainedMessage.count()) === 4 ? true : undefined), 'retained stored');
  });

  it('lists retained messages matching a filter, with previews, paginated', async () => {
    const temps = await list('site/+/temp');
    expect(temps.items.map((m) => m.topic)).toEqual(['site/1/temp', 'site/2/temp']);
    expect(temps.items[0]).toMatchObject({ qos: 1, payloadSize: 4, payloadPreview: '21.5', publisherClientId: 'retainer', publisherUsername: null, expiresAt: null });
    const site1 = await list('site/1/#');
    expect(site1.items.map((m) => [m.topic, m.payloadPreview])).toEqual([['site/1/hum', null], ['site/1/temp', '21.5']]);
    const other = await list('other/x');
    expect(other.items[0]!.payloadPreview).toHaveLength(120);
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: RetainedItem[]; nextCursor: string | null } = await list('#', `&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      all.push(...page.items.map((m) => m.topic));
      cursor = page.nextCursor;
    } while (cursor);
    expect(all).toEqual(['other/x', 'site/1/hum', 'site/1/temp', 'site/2/temp']);
    const bad = await ctx.app.inject({ method: 'GET', url: `/api/v1/retained?filter=${encodeURIComponent('site/#/x')}`, headers: viewer() });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'API_ERR_VALIDATION', errors: [{ pointer: '/filter' }] });
  });

  it('reads one retained message as text and base64 with its properties', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/retained/message?topic=${encodeURIComponent('site/1/temp')}`, headers: viewer() });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      topic: 'site/1/temp', qos: 1, payloadBase64: Buffer.from('21.5').toString('base64'), payloadText: '21.5', contentType: 'text/plain',
      payloadFormatIndicator: 1, userProperties: [['unit', 'C']], publisherClientId: 'retainer',
    });
    const binary = (await ctx.app.inject({ method: 'GET', url: `/api/v1/retained/message?topic=${encodeURIComponent('site/1/hum')}`, headers: viewer() })).json() as { payloadText: unknown; payloadBase64: string };
    expect(binary.payloadText).toBeNull();
    expect(Buffer.from(binary.payloadBase64, 'base64')).toEqual(Buffer.from([0xff, 0xfe, 0x00]));
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/retained/message?topic=nothing/here', headers: viewer() })).statusCode).toBe(404);
    const wildcard = await ctx.app.inject({ method: 'GET', url: `/api/v1/retained/message?topic=${encodeURIComponent('site/+')}`, headers: viewer() });
    expect(wildcard.json()).toMatchObject({ code: 'API_ERR_VALIDATION', errors: [{ pointer: '/topic' }] });
  });

  it('deletes one retained message and then matching ones: gone from store and broker', async () => {
    expect((await ctx.app.inject({ method: 'DELETE', url: '/api/v1/retained/message?topic=site/2/temp', headers: viewer() })).statusCode).toBe(403);
    const one = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/retained/message?topic=${encodeURIComponent('site/2/temp')}`, headers: operator() });
    expect(one.statusCode, one.body).toBe(204);
    expect(await ctx.db.retainedMessage.findUnique({ where: { topic: 'site/2/temp' } })).toBeNull();
    expect(await retainedFor('site/+/temp', 1)).toEqual(['site/1/temp']);
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/retained/message?topic=${encodeURIComponent('site/2/temp')}`, headers: operator() })).statusCode).toBe(404);

    const bulk = await ctx.app.inject({ method: 'POST', url: '/api/v1/retained/delete', payload: { filter: 'site/#' }, headers: operator() });
    expect(bulk.statusCode, bulk.body).toBe(200);
    expect(bulk.json()).toEqual({ deleted: 2 });
    expect((await list('#')).items.map((m) => m.topic)).toEqual(['other/x']);
    expect(await retainedFor('site/#', 0)).toEqual([]);
    expect(await retainedFor('#', 1)).toEqual(['other/x']);
    const audits = await ctx.db.auditEvent.findMany({ where: { resourceType: 'retained-message' }, orderBy: { at: 'asc' } });
    expect(audits.map((a) => a.action)).toEqual(['retained.delete', 'retained.bulk-delete']);
  });

  it('publishes as the platform: a subscriber receives it with its properties; retained ones are stored; audited', async () => {
    const subscriber = await connectClient(broker.url, { clientId: 'platform-sub' });
    const received: Array<{ topic: string; payload: string; qos: number; properties: unknown }> = [];
    subscriber.on('message', (topic, payload, packet) => received.push({ topic, payload: payload.toString(), qos: packet.qos, properties: packet.properties }));
    await subscriber.subscribeAsync('platform/#', { qos: 2 });
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/publish',
      headers: operator(),
      payload: { topic: 'platform/cmd', payload: '{"go":true}', payloadEncoding: 'utf8', qos: 1, properties: { contentType: 'application/json', userProperties: [['source', 'api']] } },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ delivered: true, matched: 1 });
    await eventually(() => (received.length === 1 ? true : undefined), 'delivery');
    expect(received[0]).toMatchObject({ topic: 'platform/cmd', payload: '{"go":true}', qos: 1, properties: { contentType: 'application/json', userProperties: { source: 'api' } } });

    const retained = await ctx.app.inject({ method: 'POST', url: '/api/v1/publish', headers: operator(), payload: { topic: 'platform/state', payload: Buffer.from([1, 2, 3]).toString('base64'), payloadEncoding: 'base64', qos: 0, retain: true } });
    expect(retained.statusCode, retained.body).toBe(200);
    const stored = await ctx.db.retainedMessage.findUnique({ where: { topic: 'platform/state' } });
    expect(Buffer.from(stored!.payload)).toEqual(Buffer.from([1, 2, 3]));
    expect((await list('platform/state')).items[0]).toMatchObject({ publisherClientId: null, payloadSize: 3 });
    const audit = await ctx.db.auditEvent.findFirst({ where: { action: 'message.publish', resourceId: 'platform/cmd' } });
    expect(audit?.after).toMatchObject({ topic: 'platform/cmd', qos: 1, payloadSize: 11, matched: 1 });
  });

  it('rejects bad publish bodies with problem+json naming the field', async () => {
    for (const [payload, pointer] of [
      [{ topic: 'a/+', payload: 'x', payloadEncoding: 'utf8', qos: 0 }, '/topic'],
      [{ topic: '$SYS/x', payload: 'x', payloadEncoding: 'utf8', qos: 0 }, '/topic'],
      [{ topic: 'a', payload: '***', payloadEncoding: 'base64', qos: 0 }, '/payload'],
      [{ topic: 'a', payload: 'x', payloadEncoding: 'utf8', qos: 3 }, '/qos'],
      [{ topic: 'a', payload: 'x', payloadEncoding: 'hex', qos: 0 }, '/payloadEncoding'],
      [{ topic: 'a', payload: 'x', qos: 0 }, '/payloadEncoding'],
      [{ topic: 'a', payload: 'x', payloadEncoding: 'utf8', qos: 0, extra: 1 }, ''],
    ] as const) {
      const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/publish', headers: operator(), payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      const body = response.json() as { code: string; errors?: Array<{ pointer: string }> };
      expect(body.code).toBe('API_ERR_VALIDATION');
      if (pointer) expect(body.errors?.map((e) => e.pointer)).toContain(pointer);
    }
    expect((await ctx.app.inject({ method: 'POST', url: '/api/v1/publish', headers: viewer(), payload: { topic: 'a', payload: 'x', payloadEncoding: 'utf8', qos: 0 } })).statusCode).toBe(403);
  });
});
