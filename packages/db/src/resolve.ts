import { startEmbeddedPostgres } from './embedded-postgres.js';
import { migrate } from './migrate.js';

export interface ResolveDatabaseOptions {
  /** An existing PostgreSQL (usually process.env.DATABASE_URL). Unset or empty: embedded Postgres. */
  databaseUrl?: string | undefined;
  /** Where the embedded Postgres keeps its files, e.g. ./data/postgres (used only without databaseUrl). */
  dataDir: string;
  /** Preferred port of the embedded Postgres (default 5432; a free one if taken). */
  port?: number;
  /** Defaults to prisma/migrations at the repository root. */
  migrationsDir?: string;
  log?: (msg: string) => void;
}

export interface ResolvedDatabase {
  databaseUrl: string;
  /** Whether an embedded Postgres was started (stop() then shuts it down). */
  embedded: boolean;
  /** Stops the embedded Postgres; does nothing for an external database. */
  stop(): Promise<void>;
}

/**
 * The database an app should use: DATABASE_URL when given, otherwise the embedded PostgreSQL in
 * dataDir (started, and initialised on first use). Either way, pending migrations are applied
 * before this resolves.
 */
export async function resolveDatabase(opts: ResolveDatabaseOptions): Promise<ResolvedDatabase> {
  const log = opts.log ?? (() => {});
  const migrateOpts = { log, ...(opts.migrationsDir !== undefined ? { migrationsDir: opts.migrationsDir } : {}) };
  if (opts.databaseUrl) {
    await migrate(opts.databaseUrl, migrateOpts);
    return { databaseUrl: opts.databaseUrl, embedded: false, stop: async () => {} };
  }
  const server = await startEmbeddedPostgres({ dataDir: opts.dataDir, log, ...(opts.port !== undefined ? { port: opts.port } : {}) });
  try {
    await migrate(server.databaseUrl, migrateOpts);
  } catch (err) {
    await server.stop().catch(() => {});
    throw err;
  }
  return { databaseUrl: server.databaseUrl, embedded: true, stop: () => server.stop() };
}
