import type { TraceStatus } from '../types';
import styles from './traces.module.css';

export function TraceStatusBadge({ status }: { status: TraceStatus }) {
  return (
    <span className={`${styles.badge} ${status === 'running' ? styles.running : ''}`} data-testid="trace-status">
      {status}
    </span>
  );
}
