'use client';

import { useState } from 'react';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { DataState } from '@/components/ui/data-state';
import { Modal } from '@/components/ui/modal';
import { Notice, useNotice } from '@/components/ui/notice';
import { Pager } from '@/components/ui/pager';
import { usePolling } from '@/hooks/use-polling';
import { useUrlState } from '@/hooks/use-url-state';
import { bffUrl, callApi } from '@/lib/client-api';
import { formatBytes, formatTime } from '@/lib/format';
import { base64ToBytes, hexDump, prettyJson } from '../payload';
import { PublishForm } from './publish-form';

interface RetainedSummary {
  topic: string;
  qos: number;
  payloadSize: number;
  payloadPreview: string | null;
  publisherClientId: string | null;
  publisherUsername: string | null;
  storedAt: string;
  expiresAt: string | null;
}

interface RetainedMessage {
  topic: string;
  qos: number;
  payloadBase64: string;
  payloadText: string | null;
  contentType: string | null;
  payloadFormatIndicator: number | null;
  userProperties: [string, string][];
  publisherClientId: string | null;
  publisherUsername: string | null;
  storedAt: string;
  expiresAt: string | null;
}

/** Retained messages by topic filter: view a payload as text, JSON or hex; delete one or all matching. */
export function RetainedView({ canWrite }: { canWrite: boolean }) {
  const url = useUrlState();
  const filter = url.get('filter') || '#';
  const cursor = url.get('cursor');
  const [draft, setDraft] = useState(filter);
  const list = usePolling<{ items: RetainedSummary[]; nextCursor: string | null }>(bffUrl('/retained', { filter, cursor, limit: 50 }), 5000);
  const [notice, showNotice, clearNotice] = useNotice();
  const [viewing, setViewing] = useState<string>();

  return (
    <>
      <div className="toolbar">
        <form
          className="inline-form"
          role="search"
          aria-label="Find retained messages"
          onSubmit={(event) => {
            event.preventDefault();
            url.set({ filter: draft.trim() || '#' });
          }}
        >
          <label className="field field-inline">
            <span>Topic filter</span>
            <input className="mono" value={draft} onChange={(event) => setDraft(event.target.value)} />
          </label>
          <button type="submit" className="button">
            Find
          </button>
        </form>
        {canWrite ? (
          <ConfirmButton
            label="Delete all matching"
            title={`Delete every retained message matching ${filter}?`}
            confirmLabel="Delete all matching"
            disabled={(list.data?.items.length ?? 0) === 0}
            onConfirm={async () => {
              const result = await callApi<{ deleted: number }>('POST', '/retained/delete', { filter });
              if (!result.ok) return result.problem.detail;
              showNotice('ok', `${result.data.deleted} retained message(s) matching ${filter} deleted.`);
              list.refresh();
              return undefined;
            }}
          >
            <p>
              Every retained message whose topic matches <code>{filter}</code> is deleted from the broker. New subscribers will no longer receive them.
            </p>
          </ConfirmButton>
        ) : null}
      </div>
      <Notice notice={notice} onDismiss={clearNotice} />
      {canWrite ? (
        <PublishForm
          onPublished={(text) => {
            showNotice('ok', text);
            list.refresh();
          }}
        />
      ) : null}
      <section className="panel">
        <DataState loading={list.loading} problem={list.problem} empty={(list.data?.items.length ?? 0) === 0} emptyText={`No retained message matches ${filter}.`}>
          <div className="table-wrap">
            <table className="table" data-testid="retained-table">
              <caption className="visually-hidden">Retained messages</caption>
              <thead>
                <tr>
                  <th scope="col">Topic</th>
                  <th scope="col">Payload</th>
                  <th scope="col">QoS</th>
                  <th scope="col">Size</th>
                  <th scope="col">Publisher</th>
                  <th scope="col">Stored</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {list.data?.items.map((message) => (
                  <tr key={message.topic}>
                    <td>
                      <code>{message.topic}</code>
                    </td>
                    <td className="muted">{message.payloadPreview ?? '(binary)'}</td>
                    <td>{message.qos}</td>
                    <td>{formatBytes(message.payloadSize)}</td>
                    <td>{message.publisherClientId ?? '—'}</td>
                    <td>{formatTime(message.storedAt)}</td>
                    <td className="actions">
                      <button type="button" className="button button-small" onClick={() => setViewing(message.topic)} aria-label={`View ${message.topic}`}>
                        View
                      </button>
                      {canWrite ? (
                        <ConfirmButton
                          label="Delete"
                          buttonClassName="button button-small button-danger"
                          ariaLabel={`Delete ${message.topic}`}
                          title="Delete this retained message?"
                          confirmLabel="Delete"
                          onConfirm={async () => {
                            const result = await callApi('DELETE', bffUrl('/retained/message', { topic: message.topic }));
                            if (!result.ok) return result.problem.detail;
                            showNotice('ok', `Retained message on ${message.topic} deleted.`);
                            list.refresh();
                            return undefined;
                          }}
                        >
                          <p>
                            The retained message on <code>{message.topic}</code> is deleted.
                          </p>
                        </ConfirmButton>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager hasPrevious={Boolean(cursor)} nextCursor={list.data?.nextCursor} onFirst={() => url.set({ cursor: null })} onNext={(next) => url.set({ cursor: next })} />
        </DataState>
      </section>
      {viewing ? <RetainedMessageDialog topic={viewing} onClose={() => setViewing(undefined)} /> : null}
    </>
  );
}

function RetainedMessageDialog({ topic, onClose }: { topic: string; onClose: () => void }) {
  const message = usePolling<RetainedMessage>(bffUrl('/retained/message', { topic }), 0);
  const data = message.data;
  const json = prettyJson(data?.payloadText ?? null);
  const [mode, setMode] = useState<'text' | 'json' | 'hex'>();
  const shown = mode ?? (json ? 'json' : data?.payloadText !== null ? 'text' : 'hex');
  const body = !data ? '' : shown === 'json' ? (json ?? 'Not valid JSON.') : shown === 'text' ? (data.payloadText ?? 'Not valid UTF-8 text: see hex.') : hexDump(base64ToBytes(data.payloadBase64));
  return (
    <Modal title={`Retained on ${topic}`} open onClose={onClose} wide>
      <DataState loading={message.loading} problem={message.problem} empty={!data} emptyText="">
        {data ? (
          <>
            <dl className="facts">
              <div><dt>QoS</dt><dd>{data.qos}</dd></div>
              <div><dt>Content type</dt><dd>{data.contentType ?? '—'}</dd></div>
              <div><dt>Publisher</dt><dd>{data.publisherClientId ?? '—'}{data.publisherUsername ? ` (${data.publisherUsername})` : ''}</dd></div>
              <div><dt>Stored</dt><dd>{formatTime(data.storedAt)}</dd></div>
              <div><dt>Expires</dt><dd>{formatTime(data.expiresAt)}</dd></div>
              {data.userProperties.length > 0 ? <div><dt>User properties</dt><dd>{data.userProperties.map(([key, value]) => `${key}=${value}`).join(', ')}</dd></div> : null}
            </dl>
            <div className="tabs" role="tablist" aria-label="Payload view">
              {(['text', 'json', 'hex'] as const).map((option) => (
                <button key={option} type="button" role="tab" className="button button-small" aria-selected={shown === option} aria-controls="payload-view" onClick={() => setMode(option)}>
                  {option === 'json' ? 'JSON' : option === 'hex' ? 'Hex' : 'Text'}
                </button>
              ))}
            </div>
            <pre id="payload-view" role="tabpanel" className="payload" data-testid="payload-view">
              {body}
            </pre>
          </>
        ) : null}
      </DataState>
      <div className="modal-actions">
        <button type="button" className="button button-primary" onClick={onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}
