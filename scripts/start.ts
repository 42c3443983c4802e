/**
 * `npm start`: the whole platform on one machine. Starts the embedded Postgres (or uses
 * DATABASE_URL), applies migrations, then runs the broker, the API and the console as child
 * processes, prints what it started, and stops everything (Postgres last) on Ctrl-C.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveDatabase } from '@repo/db';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, CHECKPOINT_DISABLE: '1', NEXT_TELEMETRY_DISABLED: '1', TURBO_TELEMETRY_DISABLED: '1' };
const log = (message: string): void => console.log(`[start] ${message}`);

async function main(): Promise<void> {
  const dataDir = path.resolve(root, process.env.DATA_DIR ?? 'data');
  const database = await resolveDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir, log });
  log(database.embedded ? `embedded Postgres running (data in ${dataDir})` : 'using DATABASE_URL');
  const childEnv = { ...env, DATABASE_URL: database.databaseUrl };

  const consoleBuilt = existsSync(path.join(root, 'apps/console/.next/BUILD_ID'));
  if (!consoleBuilt) {
    log('building the console (first start only)...');
    const build = spawnSync('npm', ['run', 'build', '-w', '@repo/console'], { cwd: root, env: childEnv, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('console build failed');
  }

  const children: ChildProcess[] = [];
  const run = (name: string, workspace: string): void => {
    // Each app in its own process group, so that stopping it stops its children too (next start forks).
    const child = spawn('npm', ['run', 'start', '-w', workspace], { cwd: root, env: childEnv, stdio: 'inherit', detached: true });
    child.on('exit', (code, signal) => {
      if (!stopping) {
        log(`${name} exited (${signal ?? code}); stopping the platform`);
        void stop(1);
      }
    });
    children.push(child);
  };
  run('broker', '@repo/broker');
  run('api', '@repo/api');
  run('console', '@repo/console');

  const mqttPort = process.env.MQTT_PORT ?? '1883';
  const wsPort = process.env.MQTT_WS_PORT ?? '8083';
  const apiPort = process.env.API_PORT ?? '8080';
  const consolePort = process.env.CONSOLE_PORT ?? '3000';
  log(
    [
      'platform started:',
      `  MQTT (TCP)        mqtt://localhost:${mqttPort}`,
      `  MQTT (WebSocket)  ws://localhost:${wsPort}/mqtt`,
      `  REST API          http://localhost:${apiPort}  (OpenAPI at /openapi.json, docs at /docs)`,
      `  Console           http://localhost:${consolePort}`,
      `  Postgres          ${database.embedded ? 'embedded' : 'external'}`,
      'Ctrl-C stops everything.',
    ].join('\n'),
  );

  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log('stopping...');
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.pid === undefined) return resolve();
            child.once('exit', () => resolve());
            try {
              process.kill(-child.pid, 'SIGTERM');
            } catch {
              resolve();
            }
            setTimeout(() => {
              try {
                process.kill(-child.pid!, 'SIGKILL');
              } catch {
                /* already gone */
              }
              resolve();
            }, 8000).unref();
          }),
      ),
    );
    await database.stop();
    log('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
