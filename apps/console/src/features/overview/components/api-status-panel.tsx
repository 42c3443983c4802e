import { connection } from 'next/server';
import { formatDuration } from '@/lib/format';
import { getApiHealth } from '../queries';

/** The API's liveness, fetched on the server at request time. */
export async function ApiStatusPanel() {
  await connection(); // per request, never prerendered at build time
  const health = await getApiHealth();
  return (
    <section className="panel" aria-labelledby="api-status-title">
      <h2 id="api-status-title" className="panel-title">
        REST API
      </h2>
      <dl className="facts">
        <div>
          <dt>Status</dt>
          <dd>
            <span className={`status status-${health.status}`} data-testid="api-status">
              {health.status}
            </span>
          </dd>
        </div>
        {health.status === 'ok' ? (
          <>
            <div>
              <dt>Version</dt>
              <dd data-testid="api-version">{health.version}</dd>
            </div>
            <div>
              <dt>Uptime</dt>
              <dd>{formatDuration(health.uptimeSeconds)}</dd>
            </div>
          </>
        ) : (
          <div>
            <dt>Why</dt>
            <dd className="muted">{health.message}</dd>
          </div>
        )}
      </dl>
    </section>
  );
}
