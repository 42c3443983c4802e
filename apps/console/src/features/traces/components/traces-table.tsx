import Link from 'next/link';
import { formatTime } from '../event-format';
import { describeFilter, type Trace } from '../types';
import { TraceStatusBadge } from './trace-status';
import styles from './traces.module.css';

/** The traces, newest first, each linking to its live view. */
export function TracesTable({ traces }: { traces: Trace[] }) {
  if (traces.length === 0) return <p className="muted">No traces yet.</p>;
  return (
    <table className={styles.table} aria-label="Traces">
      <thead>
        <tr>
          <th>Name</th>
          <th>Filter</th>
          <th>Status</th>
          <th>Started</th>
          <th>Ends</th>
          <th>Events</th>
        </tr>
      </thead>
      <tbody>
        {traces.map((trace) => (
          <tr key={trace.id}>
            <td>
              <Link href={`/traces/${trace.id}`}>{trace.name}</Link>
            </td>
            <td className={styles.mono}>{describeFilter(trace.filter)}</td>
            <td>
              <TraceStatusBadge status={trace.status} />
            </td>
            <td>{new Date(trace.startedAt).toLocaleString()}</td>
            <td>{formatTime(trace.endsAt)}</td>
            <td>
              {trace.eventCount} / {trace.maxEvents}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
