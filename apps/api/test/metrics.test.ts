import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createDb } from '@repo/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { buildTestApp } from './helper.js';
import { bearer, setupApi, type ApiTestContext } from './api-helper.js';

const README = fileURLToPath(new URL('../../../README.md', import.meta.url));

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus text (0.0.4): `# TYPE` lines and samples; throws on anything else. */
function parse(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice(7).split(' ');
      types.set(name!, type!);
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: match[3]!.toLowerCase() === 'nan' ? NaN : Number(match[3]) });
  }
  return { types, samples };
}

const value = (samples: Sample[], name: string, labels: Record<string, string>): number | undefined =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe('GET /metrics (API)', () => {
  let ctx: ApiTestContext;
  beforeAll(async () => {
    ctx = await setupApi('metrics');
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('scrapes in Prometheus text format with the metrics README.md documents; request counts move by route template and status', async () => {
    const scrape = async () => {
      const response = await ctx.app.inject({ method: 'GET', url: '/metrics' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      return parse(response.body);
    };
    const documented = [...readFileSync(README, 'utf8').matchAll(/^\|\s*`(api_[a-z0-9_]+)`/gm)].map((m) => m[1]!);
    expect(documented).toEqual(['api_http_requests_total', 'api_http_request_duration_seconds']);

    const viewer = bearer(ctx.tokens.viewer);
    const before = await scrape();
    const route = { method: 'GET', route: '/api/v1/session-policies/:policyId', status: '404' };
    const base = value(before.samples, 'api_http_requests_total', route) ?? 0;
    for (let i = 0; i < 3; i++) {
      await ctx.app.inject({ method: 'GET', url: `/api/v1/session-policies/00000000-0000-4000-8000-00000000000${i}`, headers: viewer });
    }
    await ctx.app.inject({ method: 'GET', url: '/no/such/route' });
    await ctx.app.inject({ method: 'GET', url: '/api/v1/session-policies/default', headers: viewer });

    const after = await scrape();
    for (const name of documented) expect(after.types.has(name), name).toBe(true);
    expect(after.types.get('api_http_requests_total')).toBe('counter');
    expect(after.types.get('api_http_request_duration_seconds')).toBe('histogram');
    expect(after.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    expect(value(after.samples, 'api_http_requests_total', route)).toBe(base + 3);
    expect(value(after.samples, 'api_http_requests_total', { route: '/api/v1/session-policies/default', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(value(after.samples, 'api_http_requests_total', { route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
    expect(value(after.samples, 'api_http_request_duration_seconds_count', route)).toBe(base + 3);
    // The raw URL (with ids) never becomes a label value.
    expect(after.samples.some((s) => s.labels.route?.includes('00000000'))).toBe(false);
  });
});

describe('GET /health with a database', () => {
  let app: App | undefined;
  afterAll(async () => {
    await app?.close();
  });

  it('is 200 with database ok when Postgres answers', async () => {
    const ctx = await setupApi('health');
    try {
      const response = await ctx.app.inject({ method: 'GET', url: '/health' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ status: 'ok', database: 'ok' });
    } finally {
      await ctx.close();
    }
  });

  it('is 503 with database unreachable when Postgres does not answer', async () => {
    // A port nothing listens on: connections are refused.
    const db = createDb('postgresql://nobody:nothing@127.0.0.1:9/none');
    app = await buildTestApp({ api: { db, loginTokenTtlSeconds: 3600 } });
    const response = await app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ status: 'unavailable', database: 'unreachable' });
    await db.$disconnect();
  });
});
