import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '@repo/db';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of a database in the shared embedded PostgreSQL (use it to create scratch databases). */
    pgAdminUrl: string;
  }
}

/** One embedded PostgreSQL for the persistence and durability suites, in a temporary directory. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'broker-pg-'));
  await chmod(dir, 0o755); // as root the server runs as `postgres`, which must traverse it
  const server = await startEmbeddedPostgres({ dataDir: dir, port: 0 });
  project.provide('pgAdminUrl', server.databaseUrl);
  return async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
