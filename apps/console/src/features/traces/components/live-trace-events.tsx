'use client';

import { useEffect, useState } from 'react';
import { parseTraceEvent, type TraceEvent } from '../types';
import { EventRows, EventTableHead } from './event-rows';
import styles from './traces.module.css';

/** Rows kept in the browser; older ones are dropped from the view (the export has them all). */
const MAX_ROWS = 2000;

type StreamState = 'connecting' | 'live' | 'reconnecting' | 'ended';

/**
 * The trace's events as they happen: server-sent events through the console server
 * (/traces/{id}/events/stream proxies the API's stream with the operator's credentials).
 * The browser's EventSource reconnects by itself and resumes after the last seq it saw.
 */
export function LiveTraceEvents({ traceId }: { traceId: string }) {
  const [events, setEvents] = useState<TraceEvent[]>([]);
  const [state, setState] = useState<StreamState>('connecting');

  useEffect(() => {
    const source = new EventSource(`/traces/${encodeURIComponent(traceId)}/events/stream`);
    source.onopen = () => setState('live');
    source.onerror = () => setState((current) => (current === 'ended' ? current : 'reconnecting'));
    source.addEventListener('trace-event', (message) => {
      const event = parseTraceEvent(JSON.parse((message as MessageEvent<string>).data));
      if (!event) return;
      setEvents((current) => {
        if (current.length > 0 && current[current.length - 1]!.seq >= event.seq) return current;
        const next = [...current, event];
        return next.length > MAX_ROWS ? next.slice(next.length - MAX_ROWS) : next;
      });
    });
    source.addEventListener('trace-end', () => {
      setState('ended');
      source.close();
    });
    return () => source.close();
  }, [traceId]);

  return (
    <section className="panel" aria-labelledby="live-events-title">
      <h2 id="live-events-title" className="panel-title">
        Events <span data-testid="stream-state">{state}</span> · <span data-testid="event-count">{events.length}</span>
      </h2>
      {events.length === 0 ? <p className="muted">Waiting for matching traffic…</p> : null}
      <div className={styles.scroll}>
        <table className={styles.table} aria-label="Trace events">
          <EventTableHead />
          <tbody>
            <EventRows traceId={traceId} events={events} />
          </tbody>
        </table>
      </div>
    </section>
  );
}
