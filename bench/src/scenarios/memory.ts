/**
 * Memory per idle connection: broker RSS before and after N clients are connected (and idle, keep
 * alive 0), divided by N; then the connections are held for `memoryHoldSeconds` and must all stay
 * open. Connections come from child processes (file descriptors per process are limited) and from
 * several 127.0.0.x source addresses (past the ephemeral port range of one address).
 */
import { fork, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { processRssBytes } from '../proc-stats.js';
import { sleep } from '../raw-client.js';
import type { Figures, RunContext } from '../scenario.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PER_WORKER = 9000;
const SOURCE_ADDRESSES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);

/** The file descriptor limit children inherit (RLIMIT_NOFILE, hard). */
export function fileDescriptorLimit(): number {
  try {
    return Number(execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim()) || 1024;
  } catch {
    return 1024;
  }
}

/** How many connections a broker process can hold here: its descriptor limit minus a margin. */
export function reachableConnections(requested: number): number {
  const limit = fileDescriptorLimit();
  return Math.min(requested, limit - 300);
}

function waitFor<T>(child: ChildProcess, key: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`memory worker: no ${key} within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (message: Record<string, unknown>): void => {
      if (!(key in message)) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(message as T);
    };
    child.on('message', onMessage);
    child.once('exit', () => reject(new Error('memory worker exited')));
  });
}

export async function runMemory(context: RunContext, requested: number): Promise<Figures> {
  const { broker, options } = context;
  const count = reachableConnections(requested);
  const tag = randomBytes(4).toString('hex');
  await sleep(1000);
  const before = processRssBytes(broker.pid);
  const workers: ChildProcess[] = [];
  const started = Date.now();
  let opened = 0;
  let failed = 0;
  try {
    const replies: Promise<{ opened: number; failed: number }>[] = [];
    for (let from = 0, w = 0; from < count; from += PER_WORKER, w++) {
      const child = fork(path.join(here, '../memory-worker.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      workers.push(child);
      const share = Math.min(PER_WORKER, count - from);
      const reply = waitFor<{ opened: number; failed: number }>(child, 'opened', 180_000);
      child.send({ open: { host: broker.target.host, port: broker.target.port, count: share, prefix: `bench-idle-${tag}-${w}`, localAddresses: SOURCE_ADDRESSES, concurrency: 200 } });
      replies.push(reply);
    }
    for (const reply of await Promise.all(replies)) {
      opened += reply.opened;
      failed += reply.failed;
    }
    const connectSeconds = (Date.now() - started) / 1000;
    await sleep(3000);
    const after = processRssBytes(broker.pid);
    const holdStart = Date.now();
    let minRss = after;
    let maxRss = after;
    while (Date.now() - holdStart < options.memoryHoldSeconds * 1000) {
      await sleep(500);
      const rss = processRssBytes(broker.pid);
      minRss = Math.min(minRss, rss);
      maxRss = Math.max(maxRss, rss);
    }
    let closedEarly = 0;
    const done = workers.map((child) => waitFor<{ closedEarly: number }>(child, 'closedEarly', 60_000));
    for (const child of workers) child.send({ close: true });
    for (const reply of await Promise.all(done)) closedEarly += reply.closedEarly;
    return {
      requested,
      /** What one process may hold here (RLIMIT_NOFILE): the requested count, capped. */
      reachable: count,
      connections: opened,
      failed,
      closedDuringHold: closedEarly,
      kbPerConnection: opened > 0 ? Math.round(((after - before) / 1024 / opened) * 100) / 100 : 0,
      rssBeforeMB: Math.round(before / 1048576),
      rssAfterMB: Math.round(after / 1048576),
      rssHoldMaxMB: Math.round(maxRss / 1048576),
      rssHoldMinMB: Math.round(minRss / 1048576),
      connectSeconds: Math.round(connectSeconds * 10) / 10,
    };
  } finally {
    for (const child of workers) if (child.exitCode === null) child.kill('SIGKILL');
  }
}
