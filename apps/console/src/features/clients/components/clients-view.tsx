'use client';

import Link from 'next/link';
import { useEffect, useState } from 'react';
import { DataState } from '@/components/ui/data-state';
import { LiveBadge } from '@/components/ui/live-badge';
import { Pager } from '@/components/ui/pager';
import { usePolling } from '@/hooks/use-polling';
import { useUrlState } from '@/hooks/use-url-state';
import { bffUrl } from '@/lib/client-api';
import { formatNumber, formatTime } from '@/lib/format';
import { clientHref, protocolName, type MqttClient } from '../types';

interface Page {
  items: MqttClient[];
  nextCursor: string | null;
}

const SORTS = [
  { value: 'clientId', label: 'Client id (A–Z)' },
  { value: '-connectedAt', label: 'Newest connection first' },
  { value: 'connectedAt', label: 'Oldest connection first' },
] as const;

/** Text filters apply as you type, after a short pause, and land in the URL. */
function useDebouncedUrlField(url: ReturnType<typeof useUrlState>, key: string): [string, (value: string) => void] {
  const current = url.get(key);
  const [value, setValue] = useState(current);
  useEffect(() => {
    if (value === current) return;
    const timer = setTimeout(() => url.set({ [key]: value.trim() }), 300);
    return () => clearTimeout(timer);
  }, [value, current, key, url]);
  return [value, setValue];
}

/** Connected clients and offline persistent sessions, live, with filters, sort and pages in the URL. */
export function ClientsView() {
  const url = useUrlState();
  const [q, setQ] = useDebouncedUrlField(url, 'q');
  const [username, setUsername] = useDebouncedUrlField(url, 'username');
  const [ip, setIp] = useDebouncedUrlField(url, 'ip');
  const connected = url.get('connected');
  const protocolVersion = url.get('protocolVersion');
  const sort = url.get('sort') || 'clientId';
  const cursor = url.get('cursor');
  const list = usePolling<Page>(bffUrl('/clients', { q: url.get('q'), username: url.get('username'), ip: url.get('ip'), connected, protocolVersion, sort, cursor, limit: 50 }), 1000);

  return (
    <>
      <form className="filters" role="search" aria-label="Filter clients" onSubmit={(event) => event.preventDefault()}>
        <label className="field field-inline">
          <span>Client id contains</span>
          <input value={q} onChange={(event) => setQ(event.target.value)} name="q" />
        </label>
        <label className="field field-inline">
          <span>Username</span>
          <input value={username} onChange={(event) => setUsername(event.target.value)} name="username" />
        </label>
        <label className="field field-inline">
          <span>IP address</span>
          <input value={ip} onChange={(event) => setIp(event.target.value)} name="ip" />
        </label>
        <label className="field field-inline">
          <span>State</span>
          <select value={connected} onChange={(event) => url.set({ connected: event.target.value })} name="connected">
            <option value="">All</option>
            <option value="true">Connected</option>
            <option value="false">Offline sessions</option>
          </select>
        </label>
        <label className="field field-inline">
          <span>Protocol</span>
          <select value={protocolVersion} onChange={(event) => url.set({ protocolVersion: event.target.value })} name="protocolVersion">
            <option value="">Any</option>
            <option value="5">MQTT 5.0</option>
            <option value="4">MQTT 3.1.1</option>
            <option value="3">MQTT 3.1</option>
          </select>
        </label>
        <label className="field field-inline">
          <span>Sort</span>
          <select value={sort} onChange={(event) => url.set({ sort: event.target.value })} name="sort">
            {SORTS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
        <LiveBadge updatedAt={list.updatedAt} failing={Boolean(list.problem)} />
      </form>
      <section className="panel">
        <DataState loading={list.loading} problem={list.problem} empty={(list.data?.items.length ?? 0) === 0} emptyText="No client matches.">
          <div className="table-wrap">
            <table className="table" data-testid="clients-table">
              <caption className="visually-hidden">Clients</caption>
              <thead>
                <tr>
                  <th scope="col" aria-sort={sort === 'clientId' ? 'ascending' : 'none'}>
                    <button type="button" className="sort-button" onClick={() => url.set({ sort: 'clientId' })}>
                      Client id{sort === 'clientId' ? ' ▲' : ''}
                    </button>
                  </th>
                  <th scope="col">State</th>
                  <th scope="col">Username</th>
                  <th scope="col">Address</th>
                  <th scope="col">Protocol</th>
                  <th scope="col" aria-sort={sort === 'connectedAt' ? 'ascending' : sort === '-connectedAt' ? 'descending' : 'none'}>
                    <button type="button" className="sort-button" onClick={() => url.set({ sort: sort === '-connectedAt' ? 'connectedAt' : '-connectedAt' })}>
                      Connected at{sort === 'connectedAt' ? ' ▲' : sort === '-connectedAt' ? ' ▼' : ''}
                    </button>
                  </th>
                  <th scope="col" className="num">
                    Subs
                  </th>
                  <th scope="col" className="num">
                    Queued
                  </th>
                  <th scope="col" className="num">
                    In / out
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data?.items.map((client) => (
                  <tr key={client.clientId}>
                    <td>
                      <Link href={clientHref(client.clientId)}>{client.clientId}</Link>
                    </td>
                    <td>{client.connected ? <span className="status status-ok">connected</span> : <span className="status status-idle">offline</span>}</td>
                    <td>{client.username ?? '—'}</td>
                    <td>{client.ip ? `${client.ip}${client.port ? `:${client.port}` : ''}` : '—'}</td>
                    <td>{protocolName(client.protocolVersion)}</td>
                    <td>{formatTime(client.connected ? client.connectedAt : client.disconnectedAt)}</td>
                    <td className="num">{formatNumber(client.subscriptions)}</td>
                    <td className="num">{formatNumber(client.queued)}</td>
                    <td className="num">
                      {formatNumber(client.messagesIn)} / {formatNumber(client.messagesOut)}
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
