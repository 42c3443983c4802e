'use client';

import Link from 'next/link';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { DataState } from '@/components/ui/data-state';
import { LiveBadge } from '@/components/ui/live-badge';
import { Notice, useNotice } from '@/components/ui/notice';
import { Pager } from '@/components/ui/pager';
import { usePolling } from '@/hooks/use-polling';
import { useUrlState } from '@/hooks/use-url-state';
import { bffUrl, callApi } from '@/lib/client-api';
import { formatNumber, formatTime } from '@/lib/format';
import { clientHref, type MqttClient } from '@/features/clients/types';

interface ExpireJob {
  id: string;
  status: 'running' | 'done' | 'failed';
  total: number;
  done: number;
  createdAt: string;
  finishedAt: string | null;
}

const UNITS = { seconds: 1, minutes: 60, hours: 3600, days: 86400 } as const;

/** Persistent sessions, one-by-one expiry, and bulk expiry by age with progress. */
export function SessionsView({ canWrite }: { canWrite: boolean }) {
  const url = useUrlState();
  const offlineForSeconds = url.get('offlineForSeconds');
  const cursor = url.get('cursor');
  const list = usePolling<{ items: MqttClient[]; nextCursor: string | null }>(bffUrl('/sessions', { offlineForSeconds, cursor, limit: 50 }), 3000);
  const [notice, showNotice, clearNotice] = useNotice();
  const [jobId, setJobId] = useState<string>();
  const refreshList = list.refresh;
  const jobFinished = useCallback(
    (job: ExpireJob) => {
      showNotice(job.status === 'done' ? 'ok' : 'error', job.status === 'done' ? `Bulk expiry finished: ${job.done} of ${job.total} sessions expired.` : `Bulk expiry failed after ${job.done} of ${job.total}.`);
      refreshList();
    },
    [showNotice, refreshList],
  );

  return (
    <>
      <div className="toolbar">
        <label className="field field-inline">
          <span>Offline for at least (seconds)</span>
          <input inputMode="numeric" defaultValue={offlineForSeconds} onBlur={(event) => url.set({ offlineForSeconds: event.target.value.trim() })} onKeyDown={(event) => event.key === 'Enter' && url.set({ offlineForSeconds: event.currentTarget.value.trim() })} />
        </label>
        <LiveBadge updatedAt={list.updatedAt} failing={Boolean(list.problem)} />
      </div>
      <Notice notice={notice} onDismiss={clearNotice} />
      {canWrite ? <BulkExpire onStarted={setJobId} /> : null}
      {jobId ? <ExpireJobProgress jobId={jobId} onFinished={jobFinished} /> : null}
      <section className="panel">
        <DataState loading={list.loading} problem={list.problem} empty={(list.data?.items.length ?? 0) === 0} emptyText="No persistent sessions.">
          <div className="table-wrap">
            <table className="table" data-testid="sessions-table">
              <caption className="visually-hidden">Persistent sessions</caption>
              <thead>
                <tr>
                  <th scope="col">Client id</th>
                  <th scope="col">State</th>
                  <th scope="col">Username</th>
                  <th scope="col">Disconnected</th>
                  <th scope="col" className="num">Expiry (s)</th>
                  <th scope="col" className="num">Subs</th>
                  <th scope="col" className="num">Queued</th>
                  {canWrite ? <th scope="col">Actions</th> : null}
                </tr>
              </thead>
              <tbody>
                {list.data?.items.map((session) => (
                  <tr key={session.clientId}>
                    <td>
                      <Link href={clientHref(session.clientId)}>{session.clientId}</Link>
                    </td>
                    <td>{session.connected ? <span className="status status-ok">connected</span> : <span className="status status-idle">offline</span>}</td>
                    <td>{session.username ?? '—'}</td>
                    <td>{formatTime(session.disconnectedAt)}</td>
                    <td className="num">{formatNumber(session.sessionExpiryInterval)}</td>
                    <td className="num">{formatNumber(session.subscriptions)}</td>
                    <td className="num">{formatNumber(session.queued)}</td>
                    {canWrite ? (
                      <td>
                        <ConfirmButton
                          label="Expire"
                          buttonClassName="button button-small button-danger"
                          ariaLabel={`Expire session ${session.clientId}`}
                          title={`Expire the session of ${session.clientId}?`}
                          confirmLabel="Expire session"
                          onConfirm={async () => {
                            const result = await callApi('DELETE', `/clients/${encodeURIComponent(session.clientId)}/session`);
                            if (!result.ok) return result.problem.detail;
                            showNotice('ok', `Session of ${session.clientId} expired.`);
                            list.refresh();
                            return undefined;
                          }}
                        >
                          <p>Its subscriptions and queued messages are deleted{session.connected ? ' and the client is disconnected' : ''}.</p>
                        </ConfirmButton>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager hasPrevious={Boolean(cursor)} nextCursor={list.data?.nextCursor} onFirst={() => url.set({ cursor: null })} onNext={(next) => url.set({ cursor: next })} />
        </DataState>
      </section>
    </>
  );
}

function BulkExpire({ onStarted }: { onStarted: (jobId: string) => void }) {
  const [amount, setAmount] = useState('7');
  const [unit, setUnit] = useState<keyof typeof UNITS>('days');
  const [usernamePrefix, setUsernamePrefix] = useState('');
  const [error, setError] = useState<string>();
  const seconds = Number(amount) * UNITS[unit];
  const valid = amount.trim() !== '' && Number.isInteger(Number(amount)) && Number(amount) >= 0;

  const start = async (): Promise<string | undefined> => {
    const result = await callApi<ExpireJob>('POST', '/sessions/expire-jobs', { offlineForSeconds: seconds, ...(usernamePrefix.trim() ? { usernamePrefix: usernamePrefix.trim() } : {}) });
    if (!result.ok) return result.problem.detail;
    onStarted(result.data.id);
    return undefined;
  };
  return (
    <section className="panel" aria-labelledby="bulk-expire-title">
      <h2 id="bulk-expire-title" className="panel-title">
        Expire sessions in bulk
      </h2>
      <form className="inline-form" onSubmit={(event: FormEvent) => event.preventDefault()}>
        <label className="field field-inline">
          <span>Offline for at least</span>
          <input inputMode="numeric" value={amount} onChange={(event) => { setAmount(event.target.value); setError(undefined); }} aria-invalid={!valid} />
        </label>
        <label className="field field-inline">
          <span>Unit</span>
          <select value={unit} onChange={(event) => setUnit(event.target.value as keyof typeof UNITS)}>
            {Object.keys(UNITS).map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label className="field field-inline">
          <span>Username starts with (optional)</span>
          <input value={usernamePrefix} onChange={(event) => setUsernamePrefix(event.target.value)} />
        </label>
        <ConfirmButton label="Expire matching sessions" title="Expire sessions in bulk?" confirmLabel="Start expiry" disabled={!valid} onConfirm={start}>
          <p>
            Every persistent session offline for at least {amount || '?'} {unit}
            {usernamePrefix.trim() ? ` whose username starts with “${usernamePrefix.trim()}”` : ''} is deleted with its subscriptions and queued messages.
          </p>
        </ConfirmButton>
      </form>
      {error ? <p className="error-text">{error}</p> : null}
    </section>
  );
}

function ExpireJobProgress({ jobId, onFinished }: { jobId: string; onFinished: (job: ExpireJob) => void }) {
  const [finished, setFinished] = useState<string>();
  const job = usePolling<ExpireJob>(`/bff/sessions/expire-jobs/${encodeURIComponent(jobId)}`, finished === jobId ? 0 : 1000);
  const data = job.data;
  useEffect(() => {
    if (data && data.status !== 'running' && finished !== jobId) {
      setFinished(jobId);
      onFinished(data);
    }
  }, [data, finished, jobId, onFinished]);
  return (
    <section className="panel" aria-labelledby="job-title">
      <h2 id="job-title" className="panel-title">
        Bulk expiry {data ? data.status : '…'}
      </h2>
      <DataState loading={job.loading} problem={job.problem} empty={!data} emptyText="">
        {data ? (
          <>
            <progress max={Math.max(1, data.total)} value={data.done} aria-label="Sessions expired" />
            <p data-testid="expire-job-progress">
              {data.done} of {data.total} sessions expired{data.finishedAt ? ` · finished ${formatTime(data.finishedAt)}` : ''}
            </p>
          </>
        ) : null}
      </DataState>
    </section>
  );
}
