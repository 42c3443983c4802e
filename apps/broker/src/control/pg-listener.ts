import pg from 'pg';
import type { Logger } from '../observability/logger.js';

export interface PgListenerOptions {
  databaseUrl: string;
  channels: readonly string[];
  /** Names the listener in log lines, e.g. "listener" or "command listener". */
  name: string;
  log: Logger;
  onNotification(message: pg.Notification): void;
  /** After a reconnection (not the first connection): notifications sent meanwhile were lost. */
  onReconnected?(): void;
}

export interface PgListener {
  stop(): Promise<void>;
}

/**
 * A dedicated Postgres connection that LISTENs on `channels` and is re-established with
 * exponential backoff (250 ms up to 30 s) whenever Postgres goes away. The first connection must
 * succeed; later failures only retry.
 */
export async function startPgListener(options: PgListenerOptions): Promise<PgListener> {
  const { log, name } = options;
  let client: pg.Client | null = null;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;

  const connect = async (attempt: number): Promise<void> => {
    const next = new pg.Client({ connectionString: options.databaseUrl });
    next.on('error', (error) => log.warn({ err: error }, `control: ${name} connection error`));
    next.on('end', () => {
      if (stopped || client !== next) return;
      client = null;
      log.warn(`control: ${name} connection lost; reconnecting`);
      schedule(1);
    });
    next.on('notification', options.onNotification);
    try {
      await next.connect();
      for (const channel of options.channels) await next.query(`LISTEN ${channel}`);
    } catch (error) {
      await next.end().catch(() => {});
      if (stopped) return;
      log.warn({ err: error, attempt }, `control: ${name} cannot LISTEN; retrying`);
      schedule(attempt + 1);
      return;
    }
    if (stopped) {
      await next.end();
      return;
    }
    client = next;
    if (attempt > 0) options.onReconnected?.();
  };

  const schedule = (attempt: number): void => {
    retryTimer = setTimeout(() => void connect(attempt), Math.min(30_000, 250 * 2 ** Math.min(attempt, 7)));
    retryTimer.unref();
  };

  await connect(0);
  if (!client) throw new Error(`control: ${name} could not LISTEN on the database`);
  return {
    async stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      const current = client;
      client = null;
      await current?.end().catch(() => {});
    },
  };
}
