import { ControlChannel, EventChannel } from '@repo/control';
import pg from 'pg';

type Listener = () => void;

export interface TraceNotifications {
  /** Calls `listener` whenever events were written for the trace or traces changed; returns the unsubscribe. */
  subscribe(traceId: string, listener: Listener): () => void;
  close(): Promise<void>;
}

/**
 * One LISTEN connection per API process, shared by every live stream: brokers NOTIFY
 * EventChannel.traceEventsWritten (payload: trace id) after each committed batch, the API
 * NOTIFYs ControlChannel.tracesChanged on start/stop/delete. Connected on first use; after a
 * lost connection it reconnects and wakes every stream (they re-read from their cursor).
 */
export function createTraceNotifications(databaseUrl: string, log: { warn(obj: object, msg: string): void }): TraceNotifications {
  const listeners = new Map<string, Set<Listener>>();
  let client: pg.Client | null = null;
  let connecting: Promise<void> | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const wake = (traceId: string | undefined): void => {
    const targets = traceId ? [listeners.get(traceId)] : [...listeners.values()];
    for (const set of targets) for (const listener of set ?? []) listener();
  };

  const connect = (): Promise<void> => {
    connecting ??= (async () => {
      const next = new pg.Client({ connectionString: databaseUrl });
      next.on('error', (error) => log.warn({ err: error }, 'trace notifications: connection error'));
      next.on('end', () => {
        if (client === next) client = null;
        if (!closed && listeners.size > 0) {
          retry = setTimeout(() => void connect().then(() => wake(undefined), () => {}), 1000);
          retry.unref();
        }
      });
      // Both channels carry the trace id; an empty payload wakes every stream.
      next.on('notification', (message) => wake(message.payload || undefined));
      try {
        await next.connect();
        await next.query(`LISTEN ${EventChannel.traceEventsWritten}`);
        await next.query(`LISTEN ${ControlChannel.tracesChanged}`);
        client = next;
      } catch (error) {
        await next.end().catch(() => {});
        throw error;
      }
    })().finally(() => {
      connecting = null;
    });
    return connecting;
  };

  return {
    subscribe(traceId, listener) {
      let set = listeners.get(traceId);
      if (!set) listeners.set(traceId, (set = new Set()));
      set.add(listener);
      if (!client && !closed) connect().catch((error: unknown) => log.warn({ err: error }, 'trace notifications: cannot LISTEN; streams poll'));
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(traceId);
      };
    },
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      listeners.clear();
      await connecting?.catch(() => {});
      const current = client;
      client = null;
      await current?.end().catch(() => {});
    },
  };
}
