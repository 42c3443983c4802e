'use client';

import { useState } from 'react';
import { DataState } from '@/components/ui/data-state';
import { Pager } from '@/components/ui/pager';
import { usePolling } from '@/hooks/use-polling';
import { useUrlState } from '@/hooks/use-url-state';
import { bffUrl } from '@/lib/client-api';
import { formatTime } from '@/lib/format';

interface AuditEvent {
  id: string;
  at: string;
  actor: string;
  action: string;
  resource: string;
  resourceId: string | null;
  before: unknown;
  after: unknown;
}

const FILTERS = [
  { key: 'actor', label: 'Actor' },
  { key: 'action', label: 'Action' },
  { key: 'resource', label: 'Resource' },
] as const;

function toLocalInput(iso: string): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/** Who changed what and when, with filters in the URL and each change's before/after. */
export function AuditLogView() {
  const url = useUrlState();
  const cursor = url.get('cursor');
  const query = { actor: url.get('actor'), action: url.get('action'), resource: url.get('resource'), since: url.get('since'), until: url.get('until') };
  const [draft, setDraft] = useState(query);
  const list = usePolling<{ items: AuditEvent[]; nextCursor: string | null }>(bffUrl('/audit-events', { ...query, cursor, limit: 50 }), 10_000);
  return (
    <>
      <form
        className="filters"
        role="search"
        aria-label="Filter the audit log"
        onSubmit={(event) => {
          event.preventDefault();
          url.set({ actor: draft.actor.trim(), action: draft.action.trim(), resource: draft.resource.trim(), since: draft.since, until: draft.until });
        }}
      >
        {FILTERS.map((filter) => (
          <label key={filter.key} className="field field-inline">
            <span>{filter.label}</span>
            <input value={draft[filter.key]} onChange={(event) => setDraft({ ...draft, [filter.key]: event.target.value })} />
          </label>
        ))}
        <label className="field field-inline">
          <span>Since</span>
          <input type="datetime-local" value={toLocalInput(draft.since)} onChange={(event) => setDraft({ ...draft, since: event.target.value ? new Date(event.target.value).toISOString() : '' })} />
        </label>
        <label className="field field-inline">
          <span>Until</span>
          <input type="datetime-local" value={toLocalInput(draft.until)} onChange={(event) => setDraft({ ...draft, until: event.target.value ? new Date(event.target.value).toISOString() : '' })} />
        </label>
        <button type="submit" className="button">
          Filter
        </button>
      </form>
      <section className="panel">
        <DataState loading={list.loading} problem={list.problem} empty={(list.data?.items.length ?? 0) === 0} emptyText="No audit event matches.">
          <div className="table-wrap">
            <table className="table" data-testid="audit-table">
              <caption className="visually-hidden">Audit events, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Action</th>
                  <th scope="col">Resource</th>
                  <th scope="col">Change</th>
                </tr>
              </thead>
              <tbody>
                {list.data?.items.map((event) => (
                  <tr key={event.id}>
                    <td>{formatTime(event.at)}</td>
                    <td>{event.actor}</td>
                    <td>{event.action}</td>
                    <td>
                      {event.resource}
                      {event.resourceId ? <code> {event.resourceId}</code> : null}
                    </td>
                    <td>
                      {event.before !== null || event.after !== null ? (
                        <details>
                          <summary>Before / after</summary>
                          <pre className="payload">{JSON.stringify({ before: event.before, after: event.after }, null, 2)}</pre>
                        </details>
                      ) : (
                        '—'
                      )}
                    </td>
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
