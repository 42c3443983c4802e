import Link from 'next/link';
import { eventSummary, formatTime } from '../event-format';
import type { TraceEvent } from '../types';
import styles from './traces.module.css';

/** Table rows of trace events; message ids link to the message's journey. */
export function EventRows({ traceId, events, linkMessages = true }: { traceId: string; events: readonly TraceEvent[]; linkMessages?: boolean }) {
  return (
    <>
      {events.map((event) => (
        <tr key={event.seq} data-testid="trace-event" data-type={event.type}>
          <td>{event.seq}</td>
          <td className={styles.mono}>{formatTime(event.at)}</td>
          <td className={event.type === 'drop' ? styles.dropType : undefined}>{event.type}</td>
          <td className={styles.mono}>{event.clientId ?? ''}</td>
          <td className={styles.mono}>{event.topic ?? ''}</td>
          <td>{eventSummary(event)}</td>
          <td className={styles.mono}>
            {event.messageId ? (
              linkMessages ? (
                <Link href={`/traces/${traceId}/messages/${encodeURIComponent(event.messageId)}`} title="Open this message's journey">
                  {event.messageId.slice(-8)}
                </Link>
              ) : (
                event.messageId.slice(-8)
              )
            ) : (
              ''
            )}
          </td>
        </tr>
      ))}
    </>
  );
}

export function EventTableHead() {
  return (
    <thead>
      <tr>
        <th>#</th>
        <th>Time (UTC)</th>
        <th>Event</th>
        <th>Client</th>
        <th>Topic</th>
        <th>What</th>
        <th>Message</th>
      </tr>
    </thead>
  );
}
