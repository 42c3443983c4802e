'use client';

import Link from 'next/link';
import { useState } from 'react';
import { DataState } from '@/components/ui/data-state';
import { LiveBadge } from '@/components/ui/live-badge';
import { Pager } from '@/components/ui/pager';
import { usePolling } from '@/hooks/use-polling';
import { useUrlState } from '@/hooks/use-url-state';
import { bffUrl } from '@/lib/client-api';
import { clientHref } from '@/features/clients/types';

interface SubscriptionRow {
  clientId: string;
  topicFilter: string;
  qos: number;
  noLocal: boolean;
  retainAsPublished: boolean;
  retainHandling: number;
  subscriptionIdentifier: number | null;
  connected: boolean;
}

/** Every subscription, filtered by topic filter and client id (both in the URL). */
export function SubscriptionsView() {
  const url = useUrlState();
  const topicFilter = url.get('topicFilter');
  const clientId = url.get('clientId');
  const cursor = url.get('cursor');
  const [draft, setDraft] = useState({ topicFilter, clientId });
  const list = usePolling<{ items: SubscriptionRow[]; nextCursor: string | null }>(bffUrl('/subscriptions', { topicFilter, clientId, cursor, limit: 50 }), 3000);
  return (
    <>
      <form
        className="filters"
        role="search"
        aria-label="Filter subscriptions"
        onSubmit={(event) => {
          event.preventDefault();
          url.set({ topicFilter: draft.topicFilter.trim(), clientId: draft.clientId.trim() });
        }}
      >
        <label className="field field-inline">
          <span>Topic filter</span>
          <input className="mono" value={draft.topicFilter} onChange={(event) => setDraft({ ...draft, topicFilter: event.target.value })} />
        </label>
        <label className="field field-inline">
          <span>Client id</span>
          <input value={draft.clientId} onChange={(event) => setDraft({ ...draft, clientId: event.target.value })} />
        </label>
        <button type="submit" className="button">
          Filter
        </button>
        <LiveBadge updatedAt={list.updatedAt} failing={Boolean(list.problem)} />
      </form>
      <section className="panel">
        <DataState loading={list.loading} problem={list.problem} empty={(list.data?.items.length ?? 0) === 0} emptyText="No subscription matches.">
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Subscriptions</caption>
              <thead>
                <tr>
                  <th scope="col">Client id</th>
                  <th scope="col">Topic filter</th>
                  <th scope="col">QoS</th>
                  <th scope="col">Options</th>
                  <th scope="col">Client</th>
                </tr>
              </thead>
              <tbody>
                {list.data?.items.map((row) => (
                  <tr key={`${row.clientId}\u0000${row.topicFilter}`}>
                    <td>
                      <Link href={clientHref(row.clientId)}>{row.clientId}</Link>
                    </td>
                    <td>
                      <code>{row.topicFilter}</code>
                    </td>
                    <td>{row.qos}</td>
                    <td>
                      {[row.noLocal ? 'no local' : null, row.retainAsPublished ? 'retain as published' : null, `retain handling ${row.retainHandling}`, row.subscriptionIdentifier !== null ? `id ${row.subscriptionIdentifier}` : null].filter(Boolean).join(' · ')}
                    </td>
                    <td>{row.connected ? <span className="status status-ok">connected</span> : <span className="status status-idle">offline</span>}</td>
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
