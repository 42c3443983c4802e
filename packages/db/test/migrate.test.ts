import { createHash } from 'node:crypto';
import { cp, mkdir, readFile, readdir, writeFile, appendFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { checksumMatches, defaultMigrationsDir, migrate } from '../src/migrate.js';
import { createScratchDatabase, makeTempDir, withClient } from './helpers.js';

const adminUrl = inject('adminUrl');

async function localMigrationNames(dir: string): Promise<string[]> {
  return (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await makeTempDir('migrate');
});
afterAll(async () => {
  await tmp.cleanup();
});

/** A private copy of prisma/migrations that a test may change. */
async function copyOfMigrations(name: string): Promise<string> {
  const dir = path.join(tmp.dir, name);
  await cp(defaultMigrationsDir, dir, { recursive: true });
  return dir;
}

describe('migrate()', () => {
  it('applies every migration once, records it as Prisma does, and is idempotent', async () => {
    const url = await createScratchDatabase(adminUrl, 'apply');
    const names = await localMigrationNames(defaultMigrationsDir);
    expect(names.length).toBeGreaterThan(0);
    const logs: string[] = [];

    const first = await migrate(url, { log: (m) => logs.push(m) });
    expect(first.applied).toEqual(names);
    const second = await migrate(url);
    expect(second.applied).toEqual([]);

    await withClient(url, async (client) => {
      const { rows } = await client.query(
        'SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
      );
      expect(rows.map((r) => r.migration_name)).toEqual(names);
      for (const row of rows) {
        const bytes = await readFile(path.join(defaultMigrationsDir, row.migration_name, 'migration.sql'));
        expect(row.checksum).toBe(createHash('sha256').update(bytes).digest('hex'));
        expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(row.applied_steps_count).toBe(1);
        expect(row.logs).toBeNull();
        expect(row.rolled_back_at).toBeNull();
        expect(row.finished_at).toBeInstanceOf(Date);
        expect(row.finished_at.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
      }

      // The table itself is the one Prisma's schema engine creates.
      const columns = await client.query(
        `SELECT column_name, data_type, character_maximum_length AS len, is_nullable, column_default
           FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
      );
      expect(columns.rows).toEqual([
        { column_name: 'id', data_type: 'character varying', len: 36, is_nullable: 'NO', column_default: null },
        { column_name: 'checksum', data_type: 'character varying', len: 64, is_nullable: 'NO', column_default: null },
        { column_name: 'finished_at', data_type: 'timestamp with time zone', len: null, is_nullable: 'YES', column_default: null },
        { column_name: 'migration_name', data_type: 'character varying', len: 255, is_nullable: 'NO', column_default: null },
        { column_name: 'logs', data_type: 'text', len: null, is_nullable: 'YES', column_default: null },
        { column_name: 'rolled_back_at', data_type: 'timestamp with time zone', len: null, is_nullable: 'YES', column_default: null },
        { column_name: 'started_at', data_type: 'timestamp with time zone', len: null, is_nullable: 'NO', column_default: 'now()' },
        { column_name: 'applied_steps_count', data_type: 'integer', len: null, is_nullable: 'NO', column_default: '0' },
      ]);
      const pk = await client.query(`SELECT conname FROM pg_constraint WHERE conrelid = '_prisma_migrations'::regclass AND contype = 'p'`);
      expect(pk.rows).toEqual([{ conname: '_prisma_migrations_pkey' }]);
    });
    expect(logs.some((l) => l.includes('applying'))).toBe(true);
  });

  it('applies migrations exactly once when several processes start at the same time', async () => {
    const url = await createScratchDatabase(adminUrl, 'concurrent');
    const names = await localMigrationNames(defaultMigrationsDir);
    const results = await Promise.all([migrate(url), migrate(url), migrate(url), migrate(url)]);
    expect(results.flatMap((r) => r.applied).sort()).toEqual(names);
    await withClient(url, async (client) => {
      const { rows } = await client.query('SELECT count(*)::int AS n FROM _prisma_migrations');
      expect(rows[0].n).toBe(names.length);
    });
  });

  it('refuses a migration that changed after it was applied, and applies new ones', async () => {
    const url = await createScratchDatabase(adminUrl, 'changed');
    const dir = await copyOfMigrations('changed');
    const names = await localMigrationNames(dir);
    await migrate(url, { migrationsDir: dir });

    // A new migration is applied on its own.
    const next = '29991231235959_add_probe';
    await mkdir(path.join(dir, next));
    await writeFile(path.join(dir, next, 'migration.sql'), '-- CreateTable\nCREATE TABLE "probe" ("id" INTEGER NOT NULL);\n');
    expect((await migrate(url, { migrationsDir: dir })).applied).toEqual([next]);

    // Line-ending changes (git autocrlf) are tolerated, as in Prisma.
    const first = names[0]!;
    const firstFile = path.join(dir, first, 'migration.sql');
    const original = await readFile(firstFile, 'utf8');
    await writeFile(firstFile, original.replaceAll('\n', '\r\n'));
    expect((await migrate(url, { migrationsDir: dir })).applied).toEqual([]);

    // A content change is refused, and nothing else happens.
    await writeFile(firstFile, original);
    await appendFile(firstFile, '\nALTER TABLE "sessions" ADD COLUMN "sneaky" TEXT;\n');
    await expect(migrate(url, { migrationsDir: dir })).rejects.toThrow(new RegExp(`Migration ${first} was modified after it was applied`));
    await withClient(url, async (client) => {
      const { rows } = await client.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'sessions' AND column_name = 'sneaky'`);
      expect(rows).toHaveLength(0);
    });
  });

  it('rolls back a failing migration completely and records nothing', async () => {
    const url = await createScratchDatabase(adminUrl, 'failing');
    const dir = await copyOfMigrations('failing');
    const bad = '29991231235959_broken';
    await mkdir(path.join(dir, bad));
    await writeFile(path.join(dir, bad, 'migration.sql'), 'CREATE TABLE "half_done" ("id" INTEGER);\nTHIS IS NOT SQL;\n');

    await expect(migrate(url, { migrationsDir: dir })).rejects.toThrow(/29991231235959_broken failed and was rolled back/);
    await withClient(url, async (client) => {
      const recorded = await client.query('SELECT migration_name FROM _prisma_migrations ORDER BY migration_name');
      expect(recorded.rows.map((r) => r.migration_name)).toEqual(await localMigrationNames(defaultMigrationsDir));
      const table = await client.query(`SELECT to_regclass('half_done')::text AS t`);
      expect(table.rows[0].t).toBeNull();
    });
  });

  it('refuses to continue after a migration Prisma recorded as started but not finished', async () => {
    const url = await createScratchDatabase(adminUrl, 'unfinished');
    await migrate(url);
    await withClient(url, (client) =>
      client.query(
        `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES (gen_random_uuid()::text, 'x', '29990101000000_crashed', now(), 0)`,
      ),
    );
    await expect(migrate(url)).rejects.toThrow(/29990101000000_crashed started but did not finish/);
  });

  it('honours ?schema= like Prisma', async () => {
    const url = await createScratchDatabase(adminUrl, 'schema');
    const schemaUrl = `${url}?schema=tenant_a`;
    expect((await migrate(schemaUrl)).applied.length).toBeGreaterThan(0);
    expect((await migrate(schemaUrl)).applied).toEqual([]);
    await withClient(url, async (client) => {
      const { rows } = await client.query(`SELECT table_schema FROM information_schema.tables WHERE table_name IN ('sessions', '_prisma_migrations') ORDER BY 1`);
      expect(rows).toEqual([{ table_schema: 'tenant_a' }, { table_schema: 'tenant_a' }]);
    });
  });

  it('matches checksums with the same tolerance as Prisma', () => {
    const lf = Buffer.from('CREATE TABLE a ();\nCREATE TABLE b ();\n');
    const crlf = Buffer.from('CREATE TABLE a ();\r\nCREATE TABLE b ();\r\n');
    const sum = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(checksumMatches(lf, sum(lf))).toBe(true);
    expect(checksumMatches(crlf, sum(lf))).toBe(true);
    expect(checksumMatches(lf, sum(crlf))).toBe(true);
    expect(checksumMatches(Buffer.from('CREATE TABLE c ();\n'), sum(lf))).toBe(false);
    // Old, non-zero-padded checksums (prisma-engines#1887).
    const unpadded = [...createHash('sha256').update(lf).digest()].map((b) => b.toString(16)).join('');
    if (unpadded.length !== 64) expect(checksumMatches(lf, unpadded)).toBe(true);
  });
});
