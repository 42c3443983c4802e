import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { buildTestApp } from './helper.js';

describe('GET /health', () => {
  let app: App | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('says ok with the version and whole seconds of uptime', async () => {
    app = await buildTestApp({ version: '1.2.3', uptimeSeconds: () => 42.9 });
    const response = await app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({ status: 'ok', version: '1.2.3', uptimeSeconds: 42 });
  });

  it('defaults uptime to the process uptime', async () => {
    app = await buildTestApp();
    const body = (await app.inject({ method: 'GET', url: '/health' })).json<{ uptimeSeconds: number }>();
    expect(Number.isInteger(body.uptimeSeconds)).toBe(true);
    expect(body.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(body.uptimeSeconds).toBeLessThanOrEqual(Math.ceil(process.uptime()));
  });

  it('serializes only the declared fields', async () => {
    app = await buildTestApp();
    const body = (await app.inject({ method: 'GET', url: '/health' })).json<Record<string, unknown>>();
    expect(Object.keys(body).sort()).toEqual(['status', 'uptimeSeconds', 'version']);
  });
});
