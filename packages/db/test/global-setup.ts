import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../src/embedded-postgres.js';
import { makeTempDir } from './helpers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the `mqtt` database of the shared embedded cluster (use it to create databases). */
    adminUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const tmp = await makeTempDir('shared');
  const server = await startEmbeddedPostgres({ dataDir: tmp.dir, port: 0 });
  project.provide('adminUrl', server.databaseUrl);
  return async () => {
    await server.stop();
    await tmp.cleanup();
  };
}
