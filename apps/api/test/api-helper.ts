import { createDb, migrate, type PrismaClient } from '@repo/db';
import { hashPassword } from '@repo/passwords';
import pg from 'pg';
import { inject } from 'vitest';
import type { App, ApiV1Deps } from '../src/app.js';
import type { Role } from '../src/lib/roles.js';
import { buildTestApp } from './helper.js';

let counter = 0;

/** A fresh, migrated database in the shared embedded cluster (see global-setup.ts). */
export async function createTestDatabase(label: string): Promise<string> {
  const adminUrl = inject('adminUrl');
  const name = `api_${label}_${process.pid}_${Date.now().toString(36)}_${counter++}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  return url.toString();
}

export const TEST_PASSWORD = 'correct horse battery staple';

export interface ApiTestContext {
  app: App;
  db: PrismaClient;
  databaseUrl: string;
  /** A bearer token per role (admins "admin", "operator", "viewer", password TEST_PASSWORD). */
  tokens: Record<Role, string>;
  close(): Promise<void>;
}

/** An app over a fresh database with one admin per role, each logged in. */
export async function setupApi(label: string, overrides: Partial<ApiV1Deps> = {}): Promise<ApiTestContext> {
  const databaseUrl = await createTestDatabase(label);
  const db = createDb(databaseUrl);
  const app = await buildTestApp({ api: { db, databaseUrl, loginTokenTtlSeconds: 3600, loginRateLimit: { max: 1000, windowMs: 60_000 }, ...overrides } });
  await app.ready();
  const passwordHash = await hashPassword(TEST_PASSWORD);
  const tokens = {} as Record<Role, string>;
  for (const role of ['admin', 'operator', 'viewer'] as const) {
    await db.admin.create({ data: { username: role, passwordHash, role } });
    const response = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: role, password: TEST_PASSWORD } });
    if (response.statusCode !== 201) throw new Error(`login as ${role} failed: ${response.body}`);
    tokens[role] = (response.json() as { token: string }).token;
  }
  return {
    app,
    db,
    databaseUrl,
    tokens,
    async close() {
      await app.close();
      await db.$disconnect();
    },
  };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** LISTENs on `channel` until stopped; `next()` resolves with the next payload. */
export async function listen(databaseUrl: string, channel: string): Promise<{ next(timeoutMs?: number): Promise<string>; stop(): Promise<void> }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const queue: string[] = [];
  const waiters: Array<(payload: string) => void> = [];
  client.on('notification', (message) => {
    if (message.channel !== channel) return;
    const payload = message.payload ?? '';
    const waiter = waiters.shift();
    if (waiter) waiter(payload);
    else queue.push(payload);
  });
  await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
  return {
    next(timeoutMs = 5000) {
      const queued = queue.shift();
      if (queued !== undefined) return Promise.resolve(queued);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no NOTIFY on ${channel} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push((payload) => {
          clearTimeout(timer);
          resolve(payload);
        });
      });
    },
    stop: () => client.end(),
  };
}
