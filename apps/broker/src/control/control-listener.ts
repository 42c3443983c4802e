import pg from 'pg';
import { ControlChannel, decodeCredentialsChanged, type CredentialsChanged } from '@repo/control';
import type { Logger } from '../observability/logger.js';

export interface ControlHandlers {
  aclChanged(): Promise<void> | void;
  credentialsChanged(message: CredentialsChanged): Promise<void> | void;
  bansChanged(): Promise<void> | void;
  /** Traces started, stopped or deleted (when tracing runs). */
  tracesChanged?(): Promise<void> | void;
  /** Session policies changed (absent: the notification is ignored). */
  policiesChanged?(): Promise<void> | void;
  /** (Re)connected: anything may have changed while not listening. */
  resynchronize(): Promise<void> | void;
}

export interface ControlListener {
  stop(): Promise<void>;
}

/**
 * LISTENs on the control channels of @repo/control and dispatches notifications. The
 * connection is re-established with backoff if Postgres goes away; after every (re)connection
 * the handlers resynchronize, since notifications sent meanwhile are lost.
 */
export async function startControlListener(databaseUrl: string, handlers: ControlHandlers, log: Logger): Promise<ControlListener> {
  let client: pg.Client | null = null;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;

  const run = (what: string, action: () => Promise<void> | void): void => {
    Promise.resolve()
      .then(action)
      .catch((error: unknown) => log.error({ err: error }, `control: ${what} failed`));
  };

  const connect = async (attempt: number): Promise<void> => {
    const next = new pg.Client({ connectionString: databaseUrl });
    next.on('error', (error) => log.warn({ err: error }, 'control: listener connection error'));
    next.on('end', () => {
      if (stopped || client !== next) return;
      client = null;
      log.warn('control: listener connection lost; reconnecting');
      schedule(1);
    });
    next.on('notification', (message) => {
      if (message.channel === ControlChannel.aclChanged) run('ACL reload', () => handlers.aclChanged());
      else if (message.channel === ControlChannel.bansChanged) run('ban reload', () => handlers.bansChanged());
      else if (message.channel === ControlChannel.tracesChanged) run('trace reload', () => handlers.tracesChanged?.());
      else if (message.channel === ControlChannel.policiesChanged) run('session policy reload', () => handlers.policiesChanged?.());
      else if (message.channel === ControlChannel.credentialsChanged) {
        const payload = decodeCredentialsChanged(message.payload);
        if (payload) run('credentials check', () => handlers.credentialsChanged(payload));
        else log.warn({ payload: message.payload }, 'control: ignoring a malformed credentials notification');
      }
    });
    try {
      await next.connect();
      for (const channel of [ControlChannel.aclChanged, ControlChannel.credentialsChanged, ControlChannel.bansChanged, ControlChannel.policiesChanged, ControlChannel.tracesChanged]) await next.query(`LISTEN ${channel}`);
    } catch (error) {
      await next.end().catch(() => {});
      if (stopped) return;
      log.warn({ err: error, attempt }, 'control: cannot listen; retrying');
      schedule(attempt + 1);
      return;
    }
    if (stopped) {
      await next.end();
      return;
    }
    client = next;
    if (attempt > 0) run('resynchronization', () => handlers.resynchronize());
  };

  const schedule = (attempt: number): void => {
    retryTimer = setTimeout(() => void connect(attempt), Math.min(30_000, 250 * 2 ** Math.min(attempt, 7)));
    retryTimer.unref();
  };

  await connect(0);
  if (!client) throw new Error('control: could not LISTEN on the database');
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
