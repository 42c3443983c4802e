'use client';

import { useState, type FormEvent } from 'react';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { CopyButton } from '@/components/ui/copy-button';
import { DataState } from '@/components/ui/data-state';
import { Modal } from '@/components/ui/modal';
import { Notice, useNotice } from '@/components/ui/notice';
import { usePolling } from '@/hooks/use-polling';
import { callApi } from '@/lib/client-api';
import { formatTime } from '@/lib/format';
import type { CreatedCredential, Credential } from '../types';

/** A user's credentials: issue (secret shown once), rotate, revoke, delete. */
export function Credentials({ userId, username, canWrite }: { userId: string; username: string; canWrite: boolean }) {
  const base = `/mqtt-users/${encodeURIComponent(userId)}/credentials`;
  const list = usePolling<{ items: Credential[] }>(`/bff${base}`, 15_000);
  const [notice, showNotice, clearNotice] = useNotice();
  const [issuing, setIssuing] = useState(false);
  const [secret, setSecret] = useState<{ password: string; label: string | null }>();

  const issue = async (body: Record<string, unknown>): Promise<CreatedCredential | string> => {
    const result = await callApi<CreatedCredential>('POST', base, body);
    if (!result.ok) return result.problem.detail;
    list.refresh();
    return result.data;
  };

  /** Rotation: a new credential like the old one (new generated secret), then the old one revoked. */
  const rotate = async (old: Credential): Promise<string | undefined> => {
    const created = await issue({ ...(old.label ? { label: old.label } : {}), ...(old.clientIdPattern ? { clientIdPattern: old.clientIdPattern } : {}), ...(old.expiresAt && Date.parse(old.expiresAt) > Date.now() ? { expiresAt: old.expiresAt } : {}) });
    if (typeof created === 'string') return created;
    const revoked = await callApi('POST', `${base}/${encodeURIComponent(old.id)}/revoke`);
    list.refresh();
    if (created.password) setSecret({ password: created.password, label: created.label });
    if (!revoked.ok) return `New credential issued, but revoking the old one failed: ${revoked.problem.detail}`;
    showNotice('ok', 'Credential rotated: the old one is revoked.');
    return undefined;
  };

  return (
    <section className="panel" aria-labelledby="credentials-title">
      <div className="panel-head">
        <h2 id="credentials-title" className="panel-title">
          Credentials
        </h2>
        {canWrite ? (
          <button type="button" className="button button-primary" onClick={() => setIssuing(true)}>
            Issue credential
          </button>
        ) : null}
      </div>
      <Notice notice={notice} onDismiss={clearNotice} />
      <DataState loading={list.loading} problem={list.problem} empty={(list.data?.items.length ?? 0) === 0} emptyText={`${username} has no credentials: it cannot connect with a password.`}>
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Credentials of {username}</caption>
            <thead>
              <tr>
                <th scope="col">Label</th>
                <th scope="col">Client id pattern</th>
                <th scope="col">State</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                {canWrite ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {list.data?.items.map((credential) => (
                <tr key={credential.id}>
                  <td>{credential.label ?? <span className="muted">(no label)</span>}</td>
                  <td>{credential.clientIdPattern ?? 'any'}</td>
                  <td>{credential.revoked ? <span className="status status-unreachable">revoked</span> : <span className="status status-ok">active</span>}</td>
                  <td>{formatTime(credential.expiresAt)}</td>
                  <td>{formatTime(credential.lastUsedAt)}</td>
                  {canWrite ? (
                    <td className="actions">
                      {!credential.revoked ? (
                        <>
                          <ConfirmButton label="Rotate" danger={false} title="Rotate this credential?" confirmLabel="Rotate" ariaLabel={`Rotate credential ${credential.label ?? credential.id}`} onConfirm={() => rotate(credential)}>
                            <p>A new password is generated and shown once; this one is revoked, so clients using it must switch.</p>
                          </ConfirmButton>
                          <ConfirmButton
                            label="Revoke"
                            title="Revoke this credential?"
                            confirmLabel="Revoke"
                            ariaLabel={`Revoke credential ${credential.label ?? credential.id}`}
                            onConfirm={async () => {
                              const result = await callApi('POST', `${base}/${encodeURIComponent(credential.id)}/revoke`);
                              if (!result.ok) return result.problem.detail;
                              showNotice('ok', 'Credential revoked.');
                              list.refresh();
                              return undefined;
                            }}
                          >
                            <p>Clients can no longer connect with this password. It stays listed for the record.</p>
                          </ConfirmButton>
                        </>
                      ) : null}
                      <ConfirmButton
                        label="Delete"
                        title="Delete this credential?"
                        confirmLabel="Delete"
                        ariaLabel={`Delete credential ${credential.label ?? credential.id}`}
                        onConfirm={async () => {
                          const result = await callApi('DELETE', `${base}/${encodeURIComponent(credential.id)}`);
                          if (!result.ok) return result.problem.detail;
                          showNotice('ok', 'Credential deleted.');
                          list.refresh();
                          return undefined;
                        }}
                      >
                        <p>The credential is removed for good.</p>
                      </ConfirmButton>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </DataState>
      <IssueCredentialDialog
        open={issuing}
        onClose={() => setIssuing(false)}
        onIssue={async (body) => {
          const created = await issue(body);
          if (typeof created === 'string') return created;
          setIssuing(false);
          if (created.password) setSecret({ password: created.password, label: created.label });
          else showNotice('ok', 'Credential issued with the password you chose.');
          return undefined;
        }}
      />
      <Modal title="New password: copy it now" open={secret !== undefined} onClose={() => setSecret(undefined)}>
        <p>This password is shown once. It is not stored in readable form and cannot be shown again.</p>
        <p>
          <code className="secret" data-testid="credential-secret">
            {secret?.password}
          </code>
        </p>
        <div className="modal-actions">
          {secret ? <CopyButton value={secret.password} label="Copy password" /> : null}
          <button type="button" className="button button-primary" onClick={() => setSecret(undefined)}>
            I have copied it
          </button>
        </div>
      </Modal>
    </section>
  );
}

function IssueCredentialDialog({ open, onClose, onIssue }: { open: boolean; onClose: () => void; onIssue: (body: Record<string, unknown>) => Promise<string | undefined> }) {
  const [error, setError] = useState<string>();
  const [pending, setPending] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const label = String(form.get('label') ?? '').trim();
    const password = String(form.get('password') ?? '');
    const clientIdPattern = String(form.get('clientIdPattern') ?? '').trim();
    const expires = String(form.get('expiresAt') ?? '');
    setPending(true);
    const problem = await onIssue({ ...(label ? { label } : {}), ...(password ? { password } : {}), ...(clientIdPattern ? { clientIdPattern } : {}), ...(expires ? { expiresAt: new Date(expires).toISOString() } : {}) });
    setPending(false);
    setError(problem);
  };
  return (
    <Modal title="Issue a credential" open={open} onClose={() => { setError(undefined); onClose(); }}>
      <form className="form" onSubmit={(event) => void submit(event)}>
        <label className="field">
          <span>Label</span>
          <input name="label" maxLength={100} />
        </label>
        <label className="field">
          <span>Password (leave empty to generate one)</span>
          <input name="password" type="password" minLength={8} autoComplete="new-password" />
        </label>
        <label className="field">
          <span>Client id pattern (optional, * wildcard)</span>
          <input name="clientIdPattern" maxLength={256} />
        </label>
        <label className="field">
          <span>Expires (optional)</span>
          <input name="expiresAt" type="datetime-local" />
        </label>
        {error ? (
          <p role="alert" className="error-text">
            {error}
          </p>
        ) : null}
        <div className="modal-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={pending}>
            Issue
          </button>
        </div>
      </form>
    </Modal>
  );
}
