import type { Metadata } from 'next';
import { connection } from 'next/server';
import { StartTraceForm } from '@/features/traces/components/start-trace-form';
import { TracesTable } from '@/features/traces/components/traces-table';
import { listTraces } from '@/features/traces/queries';
import { navItem } from '@/lib/nav';

const item = navItem('/traces');

export const metadata: Metadata = { title: item.label };

export default async function TracesPage() {
  await connection(); // per request, never prerendered
  const traces = await listTraces();
  return (
    <>
      <h1 className="page-title">{item.label}</h1>
      <p className="muted">{item.description}</p>
      <section className="panel" aria-labelledby="start-trace-title">
        <h2 id="start-trace-title" className="panel-title">
          Start a trace
        </h2>
        <StartTraceForm />
      </section>
      <section className="panel" aria-labelledby="traces-title">
        <h2 id="traces-title" className="panel-title">
          Traces
        </h2>
        {traces.ok ? <TracesTable traces={traces.data.items} /> : <p className="muted" role="alert">Traces are not available: {traces.message}</p>}
      </section>
    </>
  );
}
