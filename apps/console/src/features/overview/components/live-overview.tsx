'use client';

import { DataState } from '@/components/ui/data-state';
import { LineChart } from '@/components/ui/line-chart';
import { LiveBadge } from '@/components/ui/live-badge';
import { usePolling } from '@/hooks/use-polling';
import { formatDuration, formatNumber } from '@/lib/format';
import type { SeriesPoint, Stats } from '../types';

const STAT_CARDS: { key: keyof Stats['totals']; label: string; decimals?: number }[] = [
  { key: 'connections', label: 'Connections' },
  { key: 'sessions', label: 'Sessions' },
  { key: 'subscriptions', label: 'Subscriptions' },
  { key: 'retained', label: 'Retained' },
  { key: 'messagesInRate', label: 'Messages in / s', decimals: 1 },
  { key: 'messagesOutRate', label: 'Messages out / s', decimals: 1 },
  { key: 'messagesIn', label: 'Messages in' },
  { key: 'messagesOut', label: 'Messages out' },
  { key: 'queued', label: 'Queued' },
  { key: 'inflight', label: 'In flight' },
  { key: 'dropped', label: 'Dropped' },
];

/** Live numbers (GET /stats every 2 s) and the last hour's charts (GET /stats/series every 10 s). */
export function LiveOverview() {
  const stats = usePolling<Stats>('/bff/stats', 2000);
  const series = usePolling<{ points: SeriesPoint[] }>('/bff/stats/series?minutes=60', 10_000);
  const points = series.data?.points ?? [];
  const times = points.map((point) => point.at);
  const node = stats.data?.nodes[0];

  return (
    <>
      <section aria-labelledby="now-title">
        <div className="panel-head">
          <h2 id="now-title" className="panel-title">
            Now
          </h2>
          <LiveBadge updatedAt={stats.updatedAt} failing={Boolean(stats.problem)} />
        </div>
        <DataState loading={stats.loading} problem={stats.problem} empty={!stats.data} emptyText="No statistics yet.">
          <div className="stat-grid" data-testid="overview-stats">
            {STAT_CARDS.map((card) => (
              <div className="stat" key={card.key}>
                <div className="stat-label" id={`stat-${card.key}`}>
                  {card.label}
                </div>
                <div className="stat-value" aria-labelledby={`stat-${card.key}`} data-testid={`stat-${card.key}`}>
                  {formatNumber(stats.data?.totals[card.key], card.decimals ?? 0)}
                </div>
              </div>
            ))}
            {node ? (
              <>
                <div className="stat">
                  <div className="stat-label">Broker uptime</div>
                  <div className="stat-value">{formatDuration(node.uptimeSeconds)}</div>
                </div>
                <div className="stat">
                  <div className="stat-label">Broker version</div>
                  <div className="stat-value" data-testid="broker-version">
                    {node.version}
                  </div>
                </div>
              </>
            ) : null}
          </div>
          {stats.data && stats.data.nodes.length > 1 ? <p className="muted">{stats.data.nodes.length} broker nodes; totals are summed.</p> : null}
        </DataState>
      </section>
      <section aria-labelledby="hour-title">
        <h2 id="hour-title" className="panel-title" style={{ marginTop: '1.5rem' }}>
          Last hour
        </h2>
        <DataState loading={series.loading} problem={series.problem} empty={false} emptyText="">
          <div className="panels">
            <LineChart title="Connections" times={times} series={[{ label: 'connections', values: points.map((point) => point.connections) }]} />
            <LineChart
              title="Messages per second"
              times={times}
              series={[
                { label: 'in', values: points.map((point) => point.messagesInRate) },
                { label: 'out', values: points.map((point) => point.messagesOutRate), color: 'var(--ok)' },
              ]}
            />
            <LineChart title="Subscriptions" times={times} series={[{ label: 'subscriptions', values: points.map((point) => point.subscriptions) }]} />
            <LineChart title="Retained messages" times={times} series={[{ label: 'retained', values: points.map((point) => point.retained) }]} />
            <LineChart
              title="Queued and dropped"
              times={times}
              series={[
                { label: 'queued', values: points.map((point) => point.queued) },
                { label: 'dropped', values: points.map((point) => point.dropped), color: 'var(--bad)' },
              ]}
            />
          </div>
        </DataState>
      </section>
    </>
  );
}
