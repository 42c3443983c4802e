import pg from 'pg';
import type { Logger } from '../observability/logger.js';
import { TraceWriter } from './trace-writer.js';
import { expireEndedTraces, loadRunningTraces, pruneTraces } from './trace-store.js';
import { Tracer } from './tracer.js';

export interface PostgresTracingOptions {
  databaseUrl: string;
  nodeId: string;
  log: Logger;
  batchMs?: number;
  /** Retention of finished traces. */
  retentionHours?: number;
  keepFinished?: number;
  /** How often retention runs (ms). */
  pruneEveryMs?: number;
}

export interface PostgresTracing {
  readonly tracer: Tracer;
  readonly writer: TraceWriter;
  /** Loads the running traces (at start and on every tracesChanged notification). */
  reload(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Tracing backed by Postgres: running traces come from the traces table (reloaded on NOTIFY),
 * events go to trace_events through a batch writer, ended traces are marked expired, and
 * finished traces are pruned by age and count.
 */
export async function createPostgresTracing(options: PostgresTracingOptions): Promise<PostgresTracing> {
  const { log } = options;
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 2 });
  pool.on('error', (error) => log.warn({ err: error }, 'tracing: idle connection error'));
  let reloading: Promise<void> = Promise.resolve();
  const reload = (): Promise<void> => {
    reloading = reloading.then(async () => {
      const specs = await loadRunningTraces(pool);
      tracer.setTraces(specs);
      log.debug({ traces: specs.map((s) => s.id) }, 'tracing: running traces loaded');
    });
    return reloading;
  };
  const tracer: Tracer = new Tracer({
    onExpired: (ids) => {
      expireEndedTraces(pool, ids).then(
        () => log.info({ traces: ids }, 'tracing: traces reached their end time'),
        (error: unknown) => log.warn({ err: error }, 'tracing: could not mark traces expired'),
      );
    },
    sink: (record) => writer.push(record),
  });
  const writer: TraceWriter = new TraceWriter({
    pool,
    nodeId: options.nodeId,
    log,
    ...(options.batchMs !== undefined ? { batchMs: options.batchMs } : {}),
    onTraceFull: (traceId) => {
      log.info({ trace: traceId }, 'tracing: trace reached its maximum number of events');
      reload().catch((error: unknown) => log.warn({ err: error }, 'tracing: reload failed'));
    },
  });
  const prune = (): void => {
    pruneTraces(pool, { maxAgeHours: options.retentionHours ?? 168, keepFinished: options.keepFinished ?? 200 }).then(
      (removed) => {
        if (removed > 0) log.info({ removed }, 'tracing: old traces pruned');
      },
      (error: unknown) => log.warn({ err: error }, 'tracing: pruning failed'),
    );
  };
  const pruneTimer = setInterval(prune, options.pruneEveryMs ?? 3_600_000);
  pruneTimer.unref();
  prune();
  await reload();
  return {
    tracer,
    writer,
    reload,
    async close() {
      clearInterval(pruneTimer);
      tracer.stop();
      await reloading.catch(() => {});
      await writer.close();
      await pool.end();
    },
  };
}
