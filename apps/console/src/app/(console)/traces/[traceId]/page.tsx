import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { LiveTraceEvents } from '@/features/traces/components/live-trace-events';
import { StopTraceButton } from '@/features/traces/components/stop-trace-button';
import { TraceStatusBadge } from '@/features/traces/components/trace-status';
import styles from '@/features/traces/components/traces.module.css';
import { getTrace } from '@/features/traces/queries';
import { describeFilter } from '@/features/traces/types';

export const metadata: Metadata = { title: 'Trace' };

export default async function TracePage({ params }: { params: Promise<{ traceId: string }> }) {
  const { traceId } = await params;
  const trace = await getTrace(traceId);
  if (!trace.ok) {
    if (trace.reason === 'http-error' && (trace.status === 404 || trace.status === 400)) notFound();
    return (
      <>
        <h1 className="page-title">Trace</h1>
        <p className="muted" role="alert">
          The trace is not available: {trace.message}
        </p>
      </>
    );
  }
  const t = trace.data;
  return (
    <>
      <p>
        <Link href="/traces">← Traces</Link>
      </p>
      <h1 className="page-title">{t.name}</h1>
      <section className="panel" aria-labelledby="trace-facts">
        <h2 id="trace-facts" className="panel-title">
          Trace
        </h2>
        <dl className="facts">
          <div>
            <dt>Status</dt>
            <dd>
              <TraceStatusBadge status={t.status} />
            </dd>
          </div>
          <div>
            <dt>Filter</dt>
            <dd className={styles.mono}>{describeFilter(t.filter)}</dd>
          </div>
          <div>
            <dt>Started</dt>
            <dd>{new Date(t.startedAt).toISOString()}</dd>
          </div>
          <div>
            <dt>Ends</dt>
            <dd>{new Date(t.stoppedAt ?? t.endsAt).toISOString()}</dd>
          </div>
          <div>
            <dt>Events</dt>
            <dd>
              {t.eventCount} of at most {t.maxEvents}
            </dd>
          </div>
          <div>
            <dt>Payloads</dt>
            <dd>{t.payloadCaptureBytes > 0 ? `first ${t.payloadCaptureBytes} bytes as ${t.payloadEncoding}` : 'not captured'}</dd>
          </div>
        </dl>
        <div className={styles.actions} style={{ marginTop: '0.75rem' }}>
          {t.status === 'running' ? <StopTraceButton traceId={t.id} /> : null}
          <a className={`${styles.button} ${styles.secondary}`} href={`/traces/${t.id}/export`} download>
            Export NDJSON
          </a>
        </div>
      </section>
      <LiveTraceEvents traceId={t.id} />
    </>
  );
}
