import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApi, type ApiTestContext } from './api-helper.js';

/** A row as a broker's stats sampler writes it. */
function sample(node: string, at: Date, values: Partial<Record<'connections' | 'sessions' | 'subscriptions' | 'retained' | 'queued' | 'inflight' | 'dropped' | 'messagesIn' | 'messagesOut' | 'bytesIn' | 'bytesOut' | 'messagesInRate' | 'messagesOutRate', number>> = {}) {
  return {
    node,
    at,
    startedAt: new Date(at.getTime() - 3_600_000),
    version: '0.1.0',
    connections: values.connections ?? 0,
    sessions: values.sessions ?? 0,
    subscriptions: values.subscriptions ?? 0,
    retained: values.retained ?? 0,
    queued: values.queued ?? 0,
    inflight: values.inflight ?? 0,
    dropped: BigInt(values.dropped ?? 0),
    messagesIn: BigInt(values.messagesIn ?? 0),
    messagesOut: BigInt(values.messagesOut ?? 0),
    bytesIn: BigInt(values.bytesIn ?? 0),
    bytesOut: BigInt(values.bytesOut ?? 0),
    messagesInRate: values.messagesInRate ?? 0,
    messagesOutRate: values.messagesOutRate ?? 0,
  };
}

describe('/api/v1/stats', () => {
  let ctx: ApiTestContext;
  let viewer: Record<string, string>;
  beforeAll(async () => {
    ctx = await setupApi('stats');
    viewer = bearer(ctx.tokens.viewer);
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('answers empty before any broker sampled; needs a token; 404 for $SYS', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/api/v1/stats', headers: viewer });
    expect(response.statusCode).toBe(200);
    const body = response.json() as { nodes: unknown[]; totals: Record<string, number> };
    expect(body.nodes).toEqual([]);
    expect(Object.values(body.totals).every((v) => v === 0)).toBe(true);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/stats/series', headers: viewer })).json()).toMatchObject({ points: [] });
    const sys = await ctx.app.inject({ method: 'GET', url: '/api/v1/stats/sys', headers: viewer });
    expect(sys.statusCode).toBe(404);
    expect(sys.json().code).toBe('API_ERR_NOT_FOUND');
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/stats' })).statusCode).toBe(401);
  });

  it('GET /stats: each live node’s newest sample and the sums; a node silent for 10 minutes is left out', async () => {
    const now = Date.now();
    await ctx.db.statsSample.createMany({
      data: [
        sample('node-a', new Date(now - 20_000), { connections: 1, messagesIn: 10 }),
        sample('node-a', new Date(now - 10_000), { connections: 3, sessions: 4, subscriptions: 5, retained: 2, queued: 7, inflight: 1, dropped: 2, messagesIn: 100, messagesOut: 90, bytesIn: 1000, bytesOut: 900, messagesInRate: 1.5, messagesOutRate: 2 }),
        sample('node-b', new Date(now - 5_000), { connections: 2, sessions: 2, subscriptions: 1, retained: 2, messagesIn: 50, messagesOut: 40, bytesIn: 500, bytesOut: 400, messagesInRate: 0.5, messagesOutRate: 1 }),
        sample('node-stale', new Date(now - 11 * 60_000), { connections: 99 }),
      ],
    });
    const body = (await ctx.app.inject({ method: 'GET', url: '/api/v1/stats', headers: viewer })).json() as {
      at: string;
      nodes: Array<Record<string, unknown>>;
      totals: Record<string, number>;
    };
    expect(body.nodes.map((n) => n.node)).toEqual(['node-a', 'node-b']);
    expect(body.nodes[0]).toMatchObject({ node: 'node-a', version: '0.1.0', uptimeSeconds: 3600, connections: 3, queued: 7, inflight: 1, dropped: 2, messagesIn: 100, messagesOut: 90, messagesInRate: 1.5 });
    expect(body.totals).toEqual({ connections: 5, sessions: 6, subscriptions: 6, retained: 4, queued: 7, inflight: 1, dropped: 2, messagesIn: 150, messagesOut: 130, bytesIn: 1500, bytesOut: 1300, messagesInRate: 2, messagesOutRate: 3 });
    expect(Date.parse(body.at)).toBe(now - 5_000); // the newest sample's time
  });

  it('GET /stats/series: one point per bucket over the window, each node’s last sample in it, summed over nodes', async () => {
    await ctx.db.statsSample.deleteMany();
    const step = 10_000;
    const base = Math.floor(Date.now() / step) * step - 5 * step; // bucket starts, 50 s ago
    await ctx.db.statsSample.createMany({
      data: [
        sample('n1', new Date(base + 1000), { connections: 1, messagesInRate: 1 }),
        sample('n1', new Date(base + 6000), { connections: 2, messagesInRate: 2 }), // last of n1 in bucket 0
        sample('n2', new Date(base + 3000), { connections: 10, messagesInRate: 5, dropped: 4 }),
        sample('n1', new Date(base + step + 2000), { connections: 3, queued: 8 }),
        sample('n1', new Date(base - 3 * 3_600_000), { connections: 1000 }), // outside the window
      ],
    });
    const response = await ctx.app.inject({ method: 'GET', url: '/api/v1/stats/series?minutes=5', headers: viewer });
    expect(response.statusCode).toBe(200);
    const body = response.json() as { stepSeconds: number; points: Array<Record<string, number | string>> };
    expect(body.stepSeconds).toBe(10);
    expect(body.points).toEqual([
      { at: new Date(base).toISOString(), connections: 12, subscriptions: 0, retained: 0, queued: 0, dropped: 4, messagesInRate: 7, messagesOutRate: 0 },
      { at: new Date(base + step).toISOString(), connections: 3, subscriptions: 0, retained: 0, queued: 8, dropped: 0, messagesInRate: 0, messagesOutRate: 0 },
    ]);
    for (const url of ['/api/v1/stats/series?minutes=0', '/api/v1/stats/series?minutes=1441', '/api/v1/stats/series?minutes=x', '/api/v1/stats/series?other=1']) {
      const bad = await ctx.app.inject({ method: 'GET', url, headers: viewer });
      expect(bad.statusCode, url).toBe(400);
      expect(bad.json().code).toBe('API_ERR_VALIDATION');
    }
  });

  it('GET /stats/sys: the newest $SYS snapshot, or one node’s', async () => {
    await ctx.db.sysSnapshot.create({ data: { node: 'old', at: new Date(Date.now() - 60_000), topics: { '$SYS/broker/uptime': '5 seconds' } } });
    await ctx.db.sysSnapshot.create({ data: { node: 'new', at: new Date(), topics: { '$SYS/broker/clients/connected': '2', '$SYS/broker/version': 'mqtt-platform broker 0.1.0' } } });
    const newest = await ctx.app.inject({ method: 'GET', url: '/api/v1/stats/sys', headers: viewer });
    expect(newest.statusCode).toBe(200);
    expect(newest.json()).toMatchObject({ node: 'new', topics: { '$SYS/broker/clients/connected': '2', '$SYS/broker/version': 'mqtt-platform broker 0.1.0' } });
    const old = await ctx.app.inject({ method: 'GET', url: '/api/v1/stats/sys?node=old', headers: viewer });
    expect(old.json()).toMatchObject({ node: 'old', topics: { '$SYS/broker/uptime': '5 seconds' } });
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/stats/sys?node=none', headers: viewer })).statusCode).toBe(404);
  });
});
