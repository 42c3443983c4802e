'use client';

import { useState, type FormEvent } from 'react';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { DataState } from '@/components/ui/data-state';
import { Notice, useNotice } from '@/components/ui/notice';
import { Pager } from '@/components/ui/pager';
import { usePolling } from '@/hooks/use-polling';
import { useUrlState } from '@/hooks/use-url-state';
import { bffUrl, callApi } from '@/lib/client-api';
import { formatTime } from '@/lib/format';

interface Ban {
  id: string;
  kind: 'client_id' | 'username' | 'ip';
  value: string;
  reason: string | null;
  createdAt: string;
  expiresAt: string | null;
}

const KIND_TEXT: Record<Ban['kind'], string> = { client_id: 'Client id', username: 'Username', ip: 'IP / CIDR' };

/** Bans: add (client id, username, IP or CIDR; optional expiry), list, lift. */
export function BansView({ canWrite }: { canWrite: boolean }) {
  const url = useUrlState();
  const kind = url.get('kind');
  const cursor = url.get('cursor');
  const list = usePolling<{ items: Ban[]; nextCursor: string | null }>(bffUrl('/bans', { kind, cursor, limit: 50 }), 10_000);
  const [notice, showNotice, clearNotice] = useNotice();
  const [error, setError] = useState<string>();

  const add = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const reason = String(form.get('reason') ?? '').trim();
    const expires = String(form.get('expiresAt') ?? '');
    const result = await callApi<Ban>('POST', '/bans', { kind: String(form.get('kind')), value: String(form.get('value') ?? '').trim(), ...(reason ? { reason } : {}), ...(expires ? { expiresAt: new Date(expires).toISOString() } : {}) });
    if (!result.ok) {
      setError(result.problem.detail);
      return;
    }
    setError(undefined);
    formElement.reset();
    showNotice('ok', `${KIND_TEXT[result.data.kind]} ${result.data.value} banned; connected clients that match are disconnected.`);
    list.refresh();
  };

  return (
    <>
      <div className="toolbar">
        <label className="field field-inline">
          <span>Kind</span>
          <select value={kind} onChange={(event) => url.set({ kind: event.target.value })}>
            <option value="">All</option>
            <option value="client_id">Client id</option>
            <option value="username">Username</option>
            <option value="ip">IP / CIDR</option>
          </select>
        </label>
      </div>
      <Notice notice={notice} onDismiss={clearNotice} />
      {canWrite ? (
        <section className="panel" aria-labelledby="add-ban-title">
          <h2 id="add-ban-title" className="panel-title">
            Add a ban
          </h2>
          <form className="form form-grid" onSubmit={(event) => void add(event)}>
            <label className="field">
              <span>Kind</span>
              <select name="kind" defaultValue="client_id">
                <option value="client_id">Client id</option>
                <option value="username">Username</option>
                <option value="ip">IP / CIDR</option>
              </select>
            </label>
            <label className="field">
              <span>Value</span>
              <input name="value" required maxLength={256} />
            </label>
            <label className="field">
              <span>Reason</span>
              <input name="reason" maxLength={500} />
            </label>
            <label className="field">
              <span>Expires (empty = never)</span>
              <input name="expiresAt" type="datetime-local" />
            </label>
            <div>
              <button type="submit" className="button button-primary">
                Ban
              </button>
            </div>
            {error ? (
              <p role="alert" className="error-text field-wide">
                {error}
              </p>
            ) : null}
          </form>
        </section>
      ) : null}
      <section className="panel">
        <DataState loading={list.loading} problem={list.problem} empty={(list.data?.items.length ?? 0) === 0} emptyText="Nobody is banned.">
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Bans</caption>
              <thead>
                <tr>
                  <th scope="col">Kind</th>
                  <th scope="col">Value</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Since</th>
                  <th scope="col">Expires</th>
                  {canWrite ? <th scope="col">Actions</th> : null}
                </tr>
              </thead>
              <tbody>
                {list.data?.items.map((ban) => (
                  <tr key={ban.id}>
                    <td>{KIND_TEXT[ban.kind]}</td>
                    <td>
                      <code>{ban.value}</code>
                    </td>
                    <td>{ban.reason ?? '—'}</td>
                    <td>{formatTime(ban.createdAt)}</td>
                    <td>{ban.expiresAt ? formatTime(ban.expiresAt) : 'never'}</td>
                    {canWrite ? (
                      <td>
                        <ConfirmButton
                          label="Lift"
                          buttonClassName="button button-small button-danger"
                          ariaLabel={`Lift ban on ${ban.value}`}
                          title={`Lift the ban on ${ban.value}?`}
                          confirmLabel="Lift ban"
                          onConfirm={async () => {
                            const result = await callApi('DELETE', `/bans/${encodeURIComponent(ban.id)}`);
                            if (!result.ok) return result.problem.detail;
                            showNotice('ok', `Ban on ${ban.value} lifted.`);
                            list.refresh();
                            return undefined;
                          }}
                        >
                          <p>Matching clients may connect again.</p>
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
