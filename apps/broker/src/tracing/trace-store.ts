import type pg from 'pg';
import type { PayloadEncoding, TraceFilter, TraceSpec } from './trace-spec.js';

interface TraceRow {
  id: string;
  filter: TraceFilter;
  ends_at: Date;
  payload_capture_bytes: number;
  payload_encoding: string;
  max_events: number;
  event_count: number;
}

function isEncoding(value: string): value is PayloadEncoding {
  return value === 'text' || value === 'base64' || value === 'hex';
}

/** Running traces whose end time has not passed (ended ones are marked expired first). */
export async function loadRunningTraces(pool: pg.Pool): Promise<TraceSpec[]> {
  await expireEndedTraces(pool);
  const { rows } = await pool.query<TraceRow>(
    `SELECT id, filter, ends_at, payload_capture_bytes, payload_encoding, max_events, event_count
       FROM traces WHERE status = 'running' AND ends_at > now() AND event_count < max_events`,
  );
  return rows.map((row) => ({
    id: row.id,
    filter: typeof row.filter === 'object' && row.filter !== null ? row.filter : {},
    endsAt: row.ends_at.getTime(),
    payloadCaptureBytes: row.payload_capture_bytes,
    payloadEncoding: isEncoding(row.payload_encoding) ? row.payload_encoding : 'text',
    maxEvents: row.max_events,
    eventCount: row.event_count,
  }));
}

/** Running traces whose end time has passed become expired. */
export async function expireEndedTraces(pool: pg.Pool, ids?: readonly string[]): Promise<number> {
  const result = ids
    ? await pool.query(`UPDATE traces SET status = 'expired' WHERE status = 'running' AND ends_at <= now() + interval '1 second' AND id = ANY($1::text[])`, [ids])
    : await pool.query(`UPDATE traces SET status = 'expired' WHERE status = 'running' AND ends_at <= now()`);
  return result.rowCount ?? 0;
}

/**
 * Retention: finished traces (and, by cascade, their events) older than `maxAgeHours` go, and
 * of the rest only the newest `keepFinished` stay.
 */
export async function pruneTraces(pool: pg.Pool, options: { maxAgeHours: number; keepFinished: number }): Promise<number> {
  const old = await pool.query(
    `DELETE FROM traces WHERE status <> 'running' AND COALESCE(stopped_at, ends_at) < now() - make_interval(hours => $1::int)`,
    [options.maxAgeHours],
  );
  const beyond = await pool.query(
    `DELETE FROM traces WHERE id IN (SELECT id FROM traces WHERE status <> 'running' ORDER BY started_at DESC, id DESC OFFSET $1)`,
    [options.keepFinished],
  );
  return (old.rowCount ?? 0) + (beyond.rowCount ?? 0);
}
