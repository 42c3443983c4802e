/**
 * A migration runner for prisma/migrations that behaves like `prisma migrate deploy` without
 * Prisma's native schema engine (which cannot be downloaded everywhere this project runs).
 *
 * It reads Prisma's layout (`<migrationsDir>/<name>/migration.sql`, `migration_lock.toml`), and
 * records applied migrations in `_prisma_migrations` with the same table, the same columns and
 * the same checksum (sha256 hex of the migration.sql bytes) as Prisma, under the same advisory
 * lock key (72707369). So `prisma migrate status|deploy` agrees with it wherever the engine is
 * available, and processes running this runner and Prisma's exclude each other.
 *
 * Differences from Prisma, on purpose:
 * - each migration runs inside a transaction together with its `_prisma_migrations` row, so a
 *   failing migration leaves the database unchanged and nothing to `migrate resolve`
 *   (consequence: statements that cannot run in a transaction, such as
 *   CREATE INDEX CONCURRENTLY, are not supported);
 * - a migration whose file changed after it was applied is refused (Prisma's deploy only warns).
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { redactUrl, splitSchemaParam } from './connection-url.js';

/** The advisory lock key Prisma Migrate uses on PostgreSQL. */
export const PRISMA_MIGRATE_ADVISORY_LOCK = 72707369;

/** prisma/migrations at the repository root. */
export const defaultMigrationsDir: string = fileURLToPath(new URL('../../../prisma/migrations/', import.meta.url));

/** The DDL Prisma's schema engine uses to create its migrations table on PostgreSQL. */
export const PRISMA_MIGRATIONS_TABLE_DDL = `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);
`;

export interface MigrateOptions {
  /** Defaults to prisma/migrations at the repository root. */
  migrationsDir?: string;
  log?: (msg: string) => void;
  /** How long to wait for another process holding the migration lock. Default 60 s. */
  lockTimeoutMs?: number;
}

export interface MigrateResult {
  /** Names of the migrations applied by this call, in order (empty when up to date). */
  applied: string[];
}

export interface LocalMigration {
  name: string;
  sql: string;
  /** sha256 hex of the migration.sql bytes, as Prisma records it. */
  checksum: string;
}

interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  rolled_back_at: Date | null;
  started_at: Date;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Whether a migration file matches a recorded checksum, with the same tolerance as Prisma's schema
 * engine: CRLF/LF line-ending variants, and checksums written without zero-padding by old Prisma
 * versions (prisma-engines#1887).
 */
export function checksumMatches(fileBytes: Buffer, recorded: string): boolean {
  const text = fileBytes.toString('utf8');
  const variants = [fileBytes, Buffer.from(text.replaceAll('\r\n', '\n'), 'utf8'), Buffer.from(text.replaceAll('\r\n', '\n').replaceAll('\n', '\r\n'), 'utf8')];
  return variants.some((bytes) => {
    const digest = createHash('sha256').update(bytes).digest();
    if (recorded.length !== 64 && recorded.length > 0) {
      return [...digest].map((b) => b.toString(16)).join('') === recorded;
    }
    return digest.toString('hex') === recorded;
  });
}

/** Reads `<dir>/<name>/migration.sql` for every migration directory, sorted by name as Prisma does. */
export async function readMigrations(migrationsDir: string): Promise<Array<LocalMigration & { bytes: Buffer }>> {
  let entries;
  try {
    entries = await readdir(migrationsDir, { withFileTypes: true });
  } catch (err) {
    throw new MigrationError(`Cannot read the migrations directory ${migrationsDir}: ${(err as Error).message}`, { cause: err });
  }
  const lockFile = entries.find((e) => e.isFile() && e.name === 'migration_lock.toml');
  if (lockFile) {
    const toml = await readFile(path.join(migrationsDir, lockFile.name), 'utf8');
    const provider = /^\s*provider\s*=\s*"([^"]*)"/m.exec(toml)?.[1];
    if (provider !== undefined && provider !== 'postgresql') {
      throw new MigrationError(`${path.join(migrationsDir, 'migration_lock.toml')} says provider = "${provider}", but this runner only applies PostgreSQL migrations`);
    }
  }
  const names = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const migrations: Array<LocalMigration & { bytes: Buffer }> = [];
  for (const name of names) {
    const file = path.join(migrationsDir, name, 'migration.sql');
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (err) {
      throw new MigrationError(`Migration directory ${name} has no readable migration.sql (${(err as Error).message})`, { cause: err });
    }
    migrations.push({ name, bytes, sql: bytes.toString('utf8'), checksum: sha256Hex(bytes) });
  }
  return migrations;
}

async function acquireLock(client: pg.Client, timeoutMs: number, log: (msg: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    const res = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [PRISMA_MIGRATE_ADVISORY_LOCK]);
    if (res.rows[0]?.locked) return;
    if (!announced) {
      log('migrate: another process is applying migrations; waiting for the migration lock');
      announced = true;
    }
    if (Date.now() >= deadline) {
      throw new MigrationError(
        `Timed out after ${timeoutMs} ms waiting for the migration advisory lock (pg_advisory_lock(${PRISMA_MIGRATE_ADVISORY_LOCK})). ` +
          'Another process is applying migrations, or a connection that holds the lock was left open.',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Applies the pending migrations of `migrationsDir` to the database, in name order, each in its
 * own transaction, while holding Prisma Migrate's advisory lock. Safe to call from several
 * processes at once and on every start (idempotent).
 */
export async function migrate(databaseUrl: string, opts: MigrateOptions = {}): Promise<MigrateResult> {
  const log = opts.log ?? (() => {});
  const migrationsDir = opts.migrationsDir ?? defaultMigrationsDir;
  const local = await readMigrations(migrationsDir);
  const { url, schema } = splitSchemaParam(databaseUrl);

  const client = new pg.Client({ connectionString: url, application_name: 'repo-db-migrate' });
  // An error event on an idle client (server shutdown) must not crash the process; the pending
  // query rejects anyway.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    throw new MigrationError(`Cannot connect to ${redactUrl(databaseUrl)}: ${(err as Error).message}`, { cause: err });
  }

  const applied: string[] = [];
  try {
    await acquireLock(client, opts.lockTimeoutMs ?? 60_000, log);
    try {
      // Like Prisma: the schema named by ?schema=, else "public" (not the server's search_path).
      if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      await client.query(`SET search_path TO ${quoteIdent(schema ?? 'public')}`);
      const exists = await client.query<{ oid: string | null }>(`SELECT to_regclass('_prisma_migrations')::text AS oid`);
      if (exists.rows[0]?.oid == null) {
        await client.query(PRISMA_MIGRATIONS_TABLE_DDL);
      }
      const { rows } = await client.query<MigrationRow>(
        'SELECT id, checksum, finished_at, migration_name, rolled_back_at, started_at FROM _prisma_migrations ORDER BY started_at ASC',
      );
      const live = rows.filter((r) => r.rolled_back_at === null);

      const failed = live.filter((r) => r.finished_at === null);
      if (failed.length > 0) {
        throw new MigrationError(
          `Migration ${failed.map((r) => r.migration_name).join(', ')} started but did not finish (a _prisma_migrations row with finished_at NULL). ` +
            'Repair the database by hand, then mark it with `prisma migrate resolve --applied|--rolled-back <name>` ' +
            '(or set finished_at / rolled_back_at in _prisma_migrations).',
        );
      }

      const appliedByName = new Map(live.map((r) => [r.migration_name, r]));
      for (const m of local) {
        const row = appliedByName.get(m.name);
        if (row && !checksumMatches(m.bytes, row.checksum)) {
          throw new MigrationError(
            `Migration ${m.name} was modified after it was applied: the database recorded checksum ${row.checksum}, ` +
              `but ${path.join(migrationsDir, m.name, 'migration.sql')} now has ${m.checksum}. ` +
              'Applied migrations must never change; restore the file and put the change in a new migration.',
          );
        }
      }
      const localNames = new Set(local.map((m) => m.name));
      for (const row of live) {
        if (!localNames.has(row.migration_name)) {
          log(`migrate: warning: ${row.migration_name} is recorded in the database but missing from ${migrationsDir}`);
        }
      }

      const pending = local.filter((m) => !appliedByName.has(m.name));
      if (pending.length === 0) {
        log(`migrate: database is up to date (${local.length} migration${local.length === 1 ? '' : 's'})`);
      }
      for (const m of pending) {
        const startedAt = new Date();
        log(`migrate: applying ${m.name}`);
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query(
            `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
             VALUES ($1, $2, clock_timestamp(), $3, NULL, NULL, $4, 1)`,
            [randomUUID(), m.checksum, m.name, startedAt],
          );
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => {});
          throw new MigrationError(`Migration ${m.name} failed and was rolled back (the database is unchanged): ${(err as Error).message}`, {
            cause: err,
          });
        }
        applied.push(m.name);
      }
      if (applied.length > 0) log(`migrate: applied ${applied.length} migration${applied.length === 1 ? '' : 's'}: ${applied.join(', ')}`);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_ADVISORY_LOCK]).catch(() => {});
    }
  } finally {
    await client.end().catch(() => {});
  }
  return { applied };
}
