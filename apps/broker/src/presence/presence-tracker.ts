import type { PrismaClient } from '@repo/db';
import type { Logger } from '../observability/logger.js';
import type { ConnectionObserver, LiveConnection } from '../sessions/session-registry.js';
import { isPresenceSource, presenceRow, type PresenceRow, type PresenceSource } from './presence-source.js';

export interface PresenceTrackerOptions {
  db: Pick<PrismaClient, '$executeRawUnsafe'>;
  nodeId: string;
  /** The node's live connections (for the periodic counter refresh). */
  connections: () => LiveConnection[];
  log: Logger;
  /** Connects and disconnects are written at most this long after they happen (ms). */
  flushMs?: number;
  /** Counters of every live connection are refreshed this often (ms). */
  refreshMs?: number;
  now?: () => number;
}

/** Rows per statement, so that a node with many clients writes in bounded chunks. */
const CHUNK = 2000;

/**
 * Keeps the client_presence table current for this node, off the MQTT hot path: connects and
 * disconnects only mark the client id as changed (last change wins), and a debounced flush writes
 * them in a few set-based statements; the counters of every live connection are refreshed
 * periodically. At start the node's rows left by a crash are removed; at stop its rows go.
 */
export class PresenceTracker implements ConnectionObserver {
  /** clientId -> connection to upsert, or null to delete. */
  private pending = new Map<string, PresenceSource | null>();
  /**
   * Client ids whose row this node has written (or is writing) and not deleted since. A client
   * that connects and disconnects between two flushes never had a row: it costs no write at all
   * (a connect storm of short connections would otherwise upsert and delete thousands of rows).
   */
  private readonly written = new Set<string>();
  private readonly connectedAt = new WeakMap<LiveConnection, number>();
  private flushTimer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly options: PresenceTrackerOptions) {
    this.now = options.now ?? Date.now;
  }

  attached(connection: LiveConnection, _session?: unknown): void {
    if (!isPresenceSource(connection) || this.stopped) return;
    this.connectedAt.set(connection, this.now());
    this.pending.set(connection.clientId, connection);
    this.schedule();
  }

  detached(connection: LiveConnection): void {
    if (this.stopped) return;
    const clientId = connection.clientId;
    if (!this.written.has(clientId)) {
      // Never written: forget the pending upsert instead of writing a row and deleting it.
      this.pending.delete(clientId);
      return;
    }
    this.pending.set(clientId, null);
    this.schedule();
  }

  /** Removes rows of this node left by a previous process (crash), then starts refreshing. */
  async start(): Promise<void> {
    const removed = await this.options.db.$executeRawUnsafe(`DELETE FROM client_presence WHERE node = $1`, this.options.nodeId);
    this.written.clear();
    if (removed > 0) this.options.log.info({ removed }, 'presence: removed rows left by a previous run of this node');
    this.refreshTimer = setInterval(() => void this.refresh(), this.options.refreshMs ?? 5000);
    this.refreshTimer.unref();
  }

  private schedule(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, this.options.flushMs ?? 200);
    this.flushTimer.unref();
  }

  /** Writes pending connects and disconnects (serialized with refreshes). */
  flush(): Promise<void> {
    return this.enqueue(async () => {
      if (this.pending.size === 0) return;
      const batch = this.pending;
      this.pending = new Map();
      const deletes: string[] = [];
      const upserts: PresenceRow[] = [];
      for (const [clientId, connection] of batch) {
        if (connection) {
          upserts.push(this.row(connection));
          this.written.add(clientId);
        } else {
          deletes.push(clientId);
          this.written.delete(clientId);
        }
      }
      try {
        if (deletes.length > 0) await this.options.db.$executeRawUnsafe(`DELETE FROM client_presence WHERE client_id = ANY($1::text[]) AND node = $2`, deletes, this.options.nodeId);
        await this.upsert(upserts);
      } catch (error) {
        this.options.log.warn({ err: error, changes: batch.size }, 'presence: write failed; retrying');
        // Keep what failed unless a newer change of the same client came meanwhile.
        for (const [clientId, connection] of batch) {
          if (this.pending.has(clientId)) continue;
          this.pending.set(clientId, connection);
          // A failed delete leaves the row: it must still be deleted if the retry is superseded.
          if (!connection) this.written.add(clientId);
        }
        this.schedule();
      }
    });
  }

  /** Rewrites the rows of every live connection with current counters. */
  refresh(): Promise<void> {
    return this.enqueue(async () => {
      const rows = this.options.connections().filter(isPresenceSource).filter((c) => !this.pending.has(c.clientId) && this.connectedAt.has(c)).map((c) => this.row(c));
      try {
        await this.upsert(rows);
      } catch (error) {
        this.options.log.warn({ err: error }, 'presence: counter refresh failed');
      }
    });
  }

  /** Stops the timers and removes this node's rows. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.pending.clear();
    this.written.clear();
    await this.enqueue(async () => {
      await this.options.db.$executeRawUnsafe(`DELETE FROM client_presence WHERE node = $1`, this.options.nodeId).catch((error: unknown) => {
        this.options.log.warn({ err: error }, 'presence: could not remove rows at stop');
      });
    });
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.chain.then(task, task);
    this.chain = next.catch(() => {});
    return next;
  }

  private row(connection: PresenceSource): PresenceRow {
    return presenceRow(connection, this.connectedAt.get(connection) ?? this.now());
  }

  private async upsert(rows: PresenceRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = rows.slice(i, i + CHUNK).map((r) => ({
        c: r.clientId, u: r.username, ip: r.ip, p: r.port, v: r.protocolVersion, k: r.keepAlive, cs: r.cleanStart, e: r.sessionExpiryInterval,
        at: r.connectedAt, s: r.subscriptions, q: r.queued, i: r.inflight, d: r.dropped, mi: r.messagesIn, mo: r.messagesOut, bi: r.bytesIn, bo: r.bytesOut,
      }));
      await this.options.db.$executeRawUnsafe(
        `INSERT INTO client_presence (client_id, node, username, ip, port, protocol_version, keep_alive, clean_start, session_expiry_interval,
           connected_at, subscriptions, queued, inflight, dropped, messages_in, messages_out, bytes_in, bytes_out, updated_at)
         SELECT x.c, $2, x.u, x.ip, x.p, x.v, x.k, x.cs, x.e, to_timestamp(x.at / 1000.0), x.s, x.q, x.i, x.d, x.mi, x.mo, x.bi, x.bo, now()
         FROM jsonb_to_recordset($1::jsonb) AS x(c text, u text, ip text, p int, v int, k int, cs boolean, e bigint, at double precision,
           s int, q int, i int, d bigint, mi bigint, mo bigint, bi bigint, bo bigint)
         ON CONFLICT (client_id) DO UPDATE SET node = EXCLUDED.node, username = EXCLUDED.username, ip = EXCLUDED.ip, port = EXCLUDED.port,
           protocol_version = EXCLUDED.protocol_version, keep_alive = EXCLUDED.keep_alive, clean_start = EXCLUDED.clean_start,
           session_expiry_interval = EXCLUDED.session_expiry_interval, connected_at = EXCLUDED.connected_at, subscriptions = EXCLUDED.subscriptions,
           queued = EXCLUDED.queued, inflight = EXCLUDED.inflight, dropped = EXCLUDED.dropped, messages_in = EXCLUDED.messages_in,
           messages_out = EXCLUDED.messages_out, bytes_in = EXCLUDED.bytes_in, bytes_out = EXCLUDED.bytes_out, updated_at = now()`,
        JSON.stringify(chunk),
        this.options.nodeId,
      );
    }
  }
}
