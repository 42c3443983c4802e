'use client';

import { useState } from 'react';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { DataState, ProblemAlert } from '@/components/ui/data-state';
import { LiveBadge } from '@/components/ui/live-badge';
import { Notice, useNotice } from '@/components/ui/notice';
import { usePolling } from '@/hooks/use-polling';
import { callApi } from '@/lib/client-api';
import { formatBytes, formatDuration, formatNumber, formatTime } from '@/lib/format';
import { protocolName, type ClientDetail as Detail } from '../types';

interface KickResult {
  clientId: string;
  kicked: boolean;
  sessionDiscarded: boolean;
  willPublished: boolean;
  bannedUntil: string | null;
}

/** One client, live: session, counters, subscriptions, queued and in-flight messages; kick and expire. */
export function ClientDetail({ clientId, canWrite }: { clientId: string; canWrite: boolean }) {
  const path = `/clients/${encodeURIComponent(clientId)}`;
  const client = usePolling<Detail>(`/bff${path}`, 2000);
  const [notice, showNotice, clearNotice] = useNotice();
  const [session, setSession] = useState<'keep' | 'discard'>('keep');
  const [will, setWill] = useState<'send' | 'suppress'>('send');
  const [banSeconds, setBanSeconds] = useState('');

  const gone = client.problem?.status === 404;
  const data = client.data && !gone ? client.data : undefined;
  return (
    <>
      <div className="page-header">
        <div>
          <h1 className="page-title">
            Client <code>{clientId}</code>
          </h1>
          <p className="muted">
            {data ? (data.connected ? 'Connected' : 'Offline (persistent session)') : gone ? 'No such client or session' : ''} <LiveBadge updatedAt={client.updatedAt} failing={Boolean(client.problem) && !gone} />
          </p>
        </div>
        {canWrite && data ? (
          <div className="page-actions">
            {data.connected ? (
              <ConfirmButton
                label="Kick"
                title={`Kick ${clientId}?`}
                confirmLabel="Kick client"
                onConfirm={async () => {
                  const ban = banSeconds.trim() ? Number(banSeconds) : undefined;
                  if (ban !== undefined && (!Number.isInteger(ban) || ban < 1 || ban > 604800)) return 'Ban duration must be a whole number of seconds from 1 to 604800.';
                  const result = await callApi<KickResult>('POST', `${path}/kick`, { session, will, ...(ban ? { banSeconds: ban } : {}) });
                  if (!result.ok) return result.problem.detail;
                  const parts = [`${clientId} kicked`, result.data.sessionDiscarded ? 'session discarded' : 'session kept', result.data.willPublished ? 'will published' : 'no will sent'];
                  if (result.data.bannedUntil) parts.push(`banned until ${formatTime(result.data.bannedUntil)}`);
                  showNotice('ok', `${parts.join(', ')}.`);
                  client.refresh();
                  return undefined;
                }}
              >
                <p>The broker disconnects the client (MQTT 5: DISCONNECT 0x98 Administrative action).</p>
                <fieldset className="field">
                  <legend>Session</legend>
                  <label className="check">
                    <input type="radio" name="kick-session" checked={session === 'keep'} onChange={() => setSession('keep')} /> Keep the session (it may resume)
                  </label>
                  <label className="check">
                    <input type="radio" name="kick-session" checked={session === 'discard'} onChange={() => setSession('discard')} /> Discard the session
                  </label>
                </fieldset>
                <fieldset className="field">
                  <legend>Will message</legend>
                  <label className="check">
                    <input type="radio" name="kick-will" checked={will === 'send'} onChange={() => setWill('send')} /> Publish the will
                  </label>
                  <label className="check">
                    <input type="radio" name="kick-will" checked={will === 'suppress'} onChange={() => setWill('suppress')} /> Suppress the will
                  </label>
                </fieldset>
                <label className="field">
                  <span>Ban for (seconds, optional)</span>
                  <input inputMode="numeric" value={banSeconds} onChange={(event) => setBanSeconds(event.target.value)} />
                </label>
              </ConfirmButton>
            ) : null}
            <ConfirmButton
              label="Expire session"
              title={`Expire the session of ${clientId}?`}
              confirmLabel="Expire session"
              onConfirm={async () => {
                const result = await callApi('DELETE', `${path}/session`);
                if (!result.ok) return result.problem.detail;
                showNotice('ok', `Session of ${clientId} expired: subscriptions and queued messages are gone.`);
                client.refresh();
                return undefined;
              }}
            >
              <p>{data.connected ? 'The client is disconnected and its session discarded.' : 'The offline session is deleted'} with its subscriptions and queued messages. This cannot be undone.</p>
            </ConfirmButton>
          </div>
        ) : null}
      </div>
      <Notice notice={notice} onDismiss={clearNotice} />
      {gone ? (
        <p className="state state-empty" data-testid="client-gone">
          This client is not connected and has no session.
        </p>
      ) : (
        <DataState loading={client.loading} problem={client.problem} empty={!data} emptyText="">
          {data ? <ClientPanels client={data} /> : null}
        </DataState>
      )}
      {client.problem && data && !gone ? <ProblemAlert problem={client.problem} /> : null}
    </>
  );
}

function ClientPanels({ client }: { client: Detail }) {
  return (
    <>
      <div className="panels">
        <section className="panel" aria-labelledby="session-title">
          <h2 id="session-title" className="panel-title">
            Session
          </h2>
          <dl className="facts">
            <div><dt>Username</dt><dd>{client.username ?? '—'}</dd></div>
            <div><dt>Address</dt><dd>{client.ip ? `${client.ip}:${client.port ?? ''}` : '—'}</dd></div>
            <div><dt>Protocol</dt><dd>{protocolName(client.protocolVersion)}</dd></div>
            <div><dt>Keep alive</dt><dd>{client.keepAlive === null ? "—" : `${client.keepAlive} s`}</dd></div>
            <div><dt>Clean start</dt><dd>{client.cleanStart ? 'yes' : 'no'}</dd></div>
            <div><dt>Session expiry</dt><dd>{client.sessionExpiryInterval >= 4294967295 ? 'never' : formatDuration(client.sessionExpiryInterval)}</dd></div>
            <div><dt>Connected</dt><dd>{formatTime(client.connectedAt)}</dd></div>
            <div><dt>Disconnected</dt><dd>{formatTime(client.disconnectedAt)}</dd></div>
            <div><dt>Node</dt><dd>{client.node ?? "—"}</dd></div>
          </dl>
        </section>
        <section className="panel" aria-labelledby="counters-title">
          <h2 id="counters-title" className="panel-title">
            Counters
          </h2>
          <dl className="facts">
            <div><dt>Messages in</dt><dd data-testid="client-messages-in">{formatNumber(client.messagesIn)}</dd></div>
            <div><dt>Messages out</dt><dd>{formatNumber(client.messagesOut)}</dd></div>
            <div><dt>Bytes in</dt><dd>{formatBytes(client.bytesIn)}</dd></div>
            <div><dt>Bytes out</dt><dd>{formatBytes(client.bytesOut)}</dd></div>
            <div><dt>Queued</dt><dd>{formatNumber(client.queued)}</dd></div>
            <div><dt>In flight</dt><dd>{formatNumber(client.inflight)}</dd></div>
            <div><dt>Dropped</dt><dd>{formatNumber(client.dropped)}</dd></div>
          </dl>
        </section>
      </div>
      <section className="panel" aria-labelledby="subs-title">
        <h2 id="subs-title" className="panel-title">
          Subscriptions ({client.subscriptionList.length})
        </h2>
        {client.subscriptionList.length === 0 ? (
          <p className="state state-empty">No subscriptions.</p>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="client-subscriptions">
              <thead>
                <tr>
                  <th scope="col">Topic filter</th>
                  <th scope="col">QoS</th>
                  <th scope="col">No local</th>
                  <th scope="col">Retain as published</th>
                  <th scope="col">Retain handling</th>
                  <th scope="col">Subscription id</th>
                </tr>
              </thead>
              <tbody>
                {client.subscriptionList.map((subscription) => (
                  <tr key={subscription.topicFilter}>
                    <td><code>{subscription.topicFilter}</code></td>
                    <td>{subscription.qos}</td>
                    <td>{subscription.noLocal ? 'yes' : 'no'}</td>
                    <td>{subscription.retainAsPublished ? 'yes' : 'no'}</td>
                    <td>{subscription.retainHandling}</td>
                    <td>{subscription.subscriptionIdentifier ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <div className="panels">
        <section className="panel" aria-labelledby="queued-title">
          <h2 id="queued-title" className="panel-title">
            Queued messages ({formatNumber(client.queued)})
          </h2>
          {client.queuedMessages.length === 0 ? (
            <p className="state state-empty">Nothing queued.</p>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Topic</th>
                    <th scope="col">QoS</th>
                    <th scope="col">Size</th>
                    <th scope="col">Queued at</th>
                  </tr>
                </thead>
                <tbody>
                  {client.queuedMessages.map((message, index) => (
                    <tr key={`${message.topic}-${index}`}>
                      <td><code>{message.topic}</code></td>
                      <td>{message.qos}</td>
                      <td>{formatBytes(message.payloadSize)}</td>
                      <td>{formatTime(message.enqueuedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <section className="panel" aria-labelledby="inflight-title">
          <h2 id="inflight-title" className="panel-title">
            In flight ({formatNumber(client.inflight)})
          </h2>
          {client.inflightMessages.length === 0 ? (
            <p className="state state-empty">Nothing in flight.</p>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Packet id</th>
                    <th scope="col">Topic</th>
                    <th scope="col">QoS</th>
                    <th scope="col">State</th>
                  </tr>
                </thead>
                <tbody>
                  {client.inflightMessages.map((message) => (
                    <tr key={message.packetId}>
                      <td>{message.packetId}</td>
                      <td><code>{message.topic}</code></td>
                      <td>{message.qos}</td>
                      <td>{message.state}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>
    </>
  );
}
