import type { Metadata } from 'next';
import Link from 'next/link';
import { EventRows, EventTableHead } from '@/features/traces/components/event-rows';
import styles from '@/features/traces/components/traces.module.css';
import { getMessageJourney } from '@/features/traces/queries';

export const metadata: Metadata = { title: 'Message journey' };

/** One message's journey: its PUBLISH, routing, each delivery, acknowledgement and drop. */
export default async function MessageJourneyPage({ params }: { params: Promise<{ traceId: string; messageId: string }> }) {
  const { traceId, messageId } = await params;
  const journey = await getMessageJourney(traceId, decodeURIComponent(messageId));
  return (
    <>
      <p>
        <Link href={`/traces/${traceId}`}>← Trace</Link>
      </p>
      <h1 className="page-title">Message journey</h1>
      <p className={`muted ${styles.mono}`}>{decodeURIComponent(messageId)}</p>
      {journey.ok ? (
        <section className="panel" aria-labelledby="journey-title">
          <h2 id="journey-title" className="panel-title">
            {journey.data.events.length} events
          </h2>
          <table className={styles.table} aria-label="Message journey">
            <EventTableHead />
            <tbody>
              <EventRows traceId={traceId} events={journey.data.events} linkMessages={false} />
            </tbody>
          </table>
        </section>
      ) : (
        <p className="muted" role="alert">
          The journey is not available: {journey.message}
        </p>
      )}
    </>
  );
}
