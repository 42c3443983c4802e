'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { stopTrace } from '../actions';
import styles from './traces.module.css';

/** Stops a running trace (POST /api/v1/traces/{id}/stop) and refreshes the page. */
export function StopTraceButton({ traceId }: { traceId: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | undefined>();
  return (
    <>
      <button
        type="button"
        className={`${styles.button} ${styles.danger}`}
        disabled={pending}
        onClick={() =>
          startTransition(async () => {
            const result = await stopTrace(traceId);
            setError(result.error);
            router.refresh();
          })
        }
      >
        {pending ? 'Stopping…' : 'Stop trace'}
      </button>
      {error ? (
        <span className={styles.error} role="alert">
          {error}
        </span>
      ) : null}
    </>
  );
}
