import { EventChannel } from '@repo/control';
import type pg from 'pg';
import type { Logger } from '../observability/logger.js';
import type { TraceEventRecord } from './trace-event.js';

export interface TraceWriterOptions {
  pool: pg.Pool;
  nodeId: string;
  log: Logger;
  /** Longest an event waits for companions before its batch is written (ms). */
  batchMs?: number;
  /** A batch is written as soon as it holds this many events. */
  batchMax?: number;
  /** Events held while Postgres is slow; beyond it new events are lost (counted, logged). */
  bufferMax?: number;
  /** Told when a batch filled a trace up to its maxEvents (the trace was stopped). */
  onTraceFull?: (traceId: string) => void;
}

/** Serializes trace event writers of all nodes, so that ids and seqs commit in order. */
const WRITE_LOCK = 0x7472616365; // "trace"

/**
 * Buffers trace events and writes them in batches, one transaction at a time, off the hot path:
 * `push` never waits. Each batch takes the traces' next seq numbers and their room left under
 * maxEvents, inserts the rows, and NOTIFYs EventChannel.traceEventsWritten per trace on commit.
 */
export class TraceWriter {
  private buffer: TraceEventRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private closed = false;
  /** Events lost because the buffer was full or a batch failed. */
  lost = 0;
  written = 0;
  private readonly batchMs: number;
  private readonly batchMax: number;
  private readonly bufferMax: number;

  constructor(private readonly options: TraceWriterOptions) {
    this.batchMs = options.batchMs ?? 50;
    this.batchMax = options.batchMax ?? 1000;
    this.bufferMax = options.bufferMax ?? 100_000;
  }

  get pending(): number {
    return this.buffer.length;
  }

  push = (record: TraceEventRecord): void => {
    if (this.closed) return;
    if (this.buffer.length >= this.bufferMax) {
      if (this.lost++ === 0) this.options.log.warn({ bufferMax: this.bufferMax }, 'trace events arrive faster than Postgres takes them: dropping events');
      return;
    }
    this.buffer.push(record);
    if (this.writing) return;
    if (this.buffer.length >= this.batchMax) this.flushSoon(0);
    else if (!this.timer) this.flushSoon(this.batchMs);
  };

  private flushSoon(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, ms);
    this.timer.unref();
  }

  /** Writes what is buffered now (and what arrives meanwhile), one batch after another. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.buffer.length === 0) return;
    const batch = this.buffer.splice(0, this.batchMax);
    this.writing = this.write(batch)
      .catch((error: unknown) => {
        this.lost += batch.length;
        this.options.log.warn({ err: error, events: batch.length }, 'could not write trace events');
      })
      .finally(() => {
        this.writing = undefined;
        if (this.buffer.length > 0 && !this.closed) this.flushSoon(this.buffer.length >= this.batchMax ? 0 : this.batchMs);
      });
    await this.writing;
  }

  private async write(batch: TraceEventRecord[]): Promise<void> {
    const byTrace = new Map<string, TraceEventRecord[]>();
    for (const record of batch) {
      let list = byTrace.get(record.traceId);
      if (!list) byTrace.set(record.traceId, (list = []));
      list.push(record);
    }
    const client = await this.options.pool.connect();
    const full: string[] = [];
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
      const rows: unknown[] = [];
      for (const [traceId, records] of byTrace) {
        // Room left under maxEvents; the trace stops (status stopped) when it is full.
        const result = await client.query<{ before: number; after: number; max_events: number }>(
          `WITH old AS (SELECT event_count, max_events FROM traces WHERE id = $1 FOR UPDATE)
           UPDATE traces t
              SET event_count = old.event_count + LEAST($2::int, GREATEST(0, old.max_events - old.event_count)),
                  status = CASE WHEN t.status = 'running' AND old.event_count + $2::int >= old.max_events THEN 'stopped' ELSE t.status END,
                  stopped_at = CASE WHEN t.status = 'running' AND old.event_count + $2::int >= old.max_events THEN now() ELSE t.stopped_at END
             FROM old
            WHERE t.id = $1
        RETURNING old.event_count AS before, t.event_count AS after, old.max_events AS max_events`,
          [traceId, records.length],
        );
        const row = result.rows[0];
        if (!row) continue; // the trace was deleted
        const allowed = row.after - row.before;
        if (row.before + records.length >= row.max_events) full.push(traceId);
        for (let i = 0; i < allowed; i++) {
          const r = records[i]!;
          rows.push({
            trace_id: traceId,
            seq: row.before + i + 1,
            at: new Date(r.at).toISOString(),
            node: this.options.nodeId,
            type: r.type,
            client_id: r.clientId,
            username: r.username,
            message_id: r.messageId,
            topic: r.topic,
            qos: r.qos,
            packet_id: r.packetId,
            reason: r.reason,
            detail: r.detail,
          });
        }
        if (allowed > 0) await client.query('SELECT pg_notify($1, $2)', [EventChannel.traceEventsWritten, traceId]);
      }
      if (rows.length > 0) {
        await client.query(
          `INSERT INTO trace_events (trace_id, seq, at, node, type, client_id, username, message_id, topic, qos, packet_id, reason, detail)
           SELECT trace_id, seq, at, node, type, client_id, username, message_id, topic, qos, packet_id, reason, COALESCE(detail, '{}'::jsonb)
             FROM jsonb_to_recordset($1::jsonb) AS x(trace_id text, seq int, at timestamptz, node text, type text, client_id text,
                  username text, message_id text, topic text, qos int, packet_id int, reason text, detail jsonb)`,
          [JSON.stringify(rows)],
        );
      }
      await client.query('COMMIT');
      this.written += rows.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
    for (const traceId of full) this.options.onTraceFull?.(traceId);
  }

  /** Writes everything buffered, then refuses new events. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.buffer.length > 0 || this.writing) await this.flush();
    this.closed = true;
  }
}
