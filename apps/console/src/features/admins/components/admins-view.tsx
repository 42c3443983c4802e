'use client';

import { useState, type FormEvent } from 'react';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { CopyButton } from '@/components/ui/copy-button';
import { DataState } from '@/components/ui/data-state';
import { Modal } from '@/components/ui/modal';
import { Notice, useNotice } from '@/components/ui/notice';
import { usePolling } from '@/hooks/use-polling';
import { bffUrl, callApi } from '@/lib/client-api';
import { formatTime } from '@/lib/format';
import { ROLES, type Role } from '@/lib/roles';

interface Admin {
  id: string;
  username: string;
  role: Role;
  disabled?: boolean;
  createdAt?: string;
  lastLoginAt?: string | null;
}

interface ApiToken {
  id: string;
  adminId: string;
  name: string;
  role: Role;
  expiresAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
}

/** Admins (who may sign in, with which role) and API tokens (shown once). Admin role only. */
export function AdminsView({ currentUsername }: { currentUsername: string }) {
  const [notice, showNotice, clearNotice] = useNotice();
  return (
    <>
      <Notice notice={notice} onDismiss={clearNotice} />
      <AdminsPanel currentUsername={currentUsername} report={showNotice} />
      <ApiTokensPanel report={showNotice} />
    </>
  );
}

function AdminsPanel({ currentUsername, report }: { currentUsername: string; report: (kind: 'ok' | 'error', text: string) => void }) {
  const list = usePolling<{ items: Admin[] }>(bffUrl('/admins', { limit: 100 }), 15_000);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string>();

  const create = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const result = await callApi<Admin>('POST', '/admins', { username: String(form.get('username') ?? '').trim(), password: String(form.get('password') ?? ''), role: String(form.get('role')) });
    if (!result.ok) {
      setError(result.problem.detail);
      return;
    }
    setError(undefined);
    setCreating(false);
    report('ok', `Admin ${result.data.username} created with role ${result.data.role}.`);
    list.refresh();
  };
  const patch = async (admin: Admin, changes: Partial<Admin>, done: string): Promise<string | undefined> => {
    const result = await callApi('PATCH', `/admins/${encodeURIComponent(admin.id)}`, changes);
    if (!result.ok) return result.problem.detail;
    report('ok', done);
    list.refresh();
    return undefined;
  };

  return (
    <section className="panel" aria-labelledby="admins-title">
      <div className="panel-head">
        <h2 id="admins-title" className="panel-title">
          Admins
        </h2>
        <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
          New admin
        </button>
      </div>
      <DataState loading={list.loading} problem={list.problem} empty={(list.data?.items.length ?? 0) === 0} emptyText="No admins.">
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Admins</caption>
            <thead>
              <tr>
                <th scope="col">Username</th>
                <th scope="col">Role</th>
                <th scope="col">State</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.data?.items.map((admin) => {
                const self = admin.username === currentUsername;
                return (
                  <tr key={admin.id}>
                    <td>
                      {admin.username}
                      {self ? <span className="tag">you</span> : null}
                    </td>
                    <td>
                      <label className="visually-hidden" htmlFor={`role-${admin.id}`}>
                        Role of {admin.username}
                      </label>
                      <select id={`role-${admin.id}`} value={admin.role} disabled={self} onChange={(event) => void patch(admin, { role: event.target.value as Role }, `${admin.username} is now ${event.target.value}.`).then((problem) => problem && report('error', problem))}>
                        {ROLES.map((role) => (
                          <option key={role} value={role}>
                            {role}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td>{admin.disabled ? <span className="status status-unreachable">disabled</span> : <span className="status status-ok">active</span>}</td>
                    <td>{formatTime(admin.createdAt)}</td>
                    <td className="actions">
                      {!self ? (
                        <>
                          <ConfirmButton
                            label={admin.disabled ? 'Enable' : 'Disable'}
                            danger={!admin.disabled}
                            buttonClassName={`button button-small${admin.disabled ? '' : ' button-danger'}`}
                            ariaLabel={`${admin.disabled ? 'Enable' : 'Disable'} ${admin.username}`}
                            title={`${admin.disabled ? 'Enable' : 'Disable'} ${admin.username}?`}
                            confirmLabel={admin.disabled ? 'Enable' : 'Disable'}
                            onConfirm={() => patch(admin, { disabled: !admin.disabled }, `${admin.username} ${admin.disabled ? 'enabled' : 'disabled'}.`)}
                          >
                            <p>{admin.disabled ? 'They can sign in again.' : 'They are signed out and cannot sign in.'}</p>
                          </ConfirmButton>
                          <ConfirmButton
                            label="Delete"
                            buttonClassName="button button-small button-danger"
                            ariaLabel={`Delete ${admin.username}`}
                            title={`Delete ${admin.username}?`}
                            confirmLabel="Delete admin"
                            onConfirm={async () => {
                              const result = await callApi('DELETE', `/admins/${encodeURIComponent(admin.id)}`);
                              if (!result.ok) return result.problem.detail;
                              report('ok', `Admin ${admin.username} deleted.`);
                              list.refresh();
                              return undefined;
                            }}
                          >
                            <p>Their sessions and API tokens stop working.</p>
                          </ConfirmButton>
                        </>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </DataState>
      <Modal title="New admin" open={creating} onClose={() => setCreating(false)}>
        <form className="form" onSubmit={(event) => void create(event)}>
          <label className="field">
            <span>Username</span>
            <input name="username" required autoComplete="off" />
          </label>
          <label className="field">
            <span>Password (at least 12 characters)</span>
            <input name="password" type="password" required minLength={12} autoComplete="new-password" />
          </label>
          <label className="field">
            <span>Role</span>
            <select name="role" defaultValue="viewer">
              <option value="viewer">viewer: reads everything</option>
              <option value="operator">operator: also changes devices, rules, sessions</option>
              <option value="admin">admin: also admins and tokens</option>
            </select>
          </label>
          {error ? (
            <p role="alert" className="error-text">
              {error}
            </p>
          ) : null}
          <div className="modal-actions">
            <button type="button" className="button" onClick={() => setCreating(false)}>
              Cancel
            </button>
            <button type="submit" className="button button-primary">
              Create admin
            </button>
          </div>
        </form>
      </Modal>
    </section>
  );
}

function ApiTokensPanel({ report }: { report: (kind: 'ok' | 'error', text: string) => void }) {
  const list = usePolling<{ items: ApiToken[] }>('/bff/api-tokens', 15_000);
  const [secret, setSecret] = useState<string>();
  const [error, setError] = useState<string>();

  const create = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const days = Number(form.get('days') ?? 0);
    const result = await callApi<ApiToken & { token: string }>('POST', '/api-tokens', { name: String(form.get('name') ?? '').trim(), role: String(form.get('role')), ...(days > 0 ? { ttlSeconds: Math.round(days * 86400) } : {}) });
    if (!result.ok) {
      setError(result.problem.detail);
      return;
    }
    setError(undefined);
    formElement.reset();
    setSecret(result.data.token);
    list.refresh();
  };

  return (
    <section className="panel" aria-labelledby="tokens-title">
      <h2 id="tokens-title" className="panel-title">
        API tokens
      </h2>
      <form className="form form-grid" onSubmit={(event) => void create(event)}>
        <label className="field">
          <span>Name</span>
          <input name="name" required maxLength={100} />
        </label>
        <label className="field">
          <span>Role</span>
          <select name="role" defaultValue="viewer">
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Valid for (days, empty = no expiry)</span>
          <input name="days" inputMode="numeric" />
        </label>
        <div>
          <button type="submit" className="button button-primary">
            Create token
          </button>
        </div>
        {error ? (
          <p role="alert" className="error-text field-wide">
            {error}
          </p>
        ) : null}
      </form>
      <DataState loading={list.loading} problem={list.problem} empty={(list.data?.items.length ?? 0) === 0} emptyText="No API tokens.">
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">API tokens</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.data?.items.map((token) => (
                <tr key={token.id}>
                  <td>{token.name}</td>
                  <td>{token.role}</td>
                  <td>{formatTime(token.createdAt)}</td>
                  <td>{token.expiresAt ? formatTime(token.expiresAt) : 'never'}</td>
                  <td>{formatTime(token.lastUsedAt)}</td>
                  <td>
                    <ConfirmButton
                      label="Revoke"
                      buttonClassName="button button-small button-danger"
                      ariaLabel={`Revoke token ${token.name}`}
                      title={`Revoke the token ${token.name}?`}
                      confirmLabel="Revoke token"
                      onConfirm={async () => {
                        const result = await callApi('DELETE', `/api-tokens/${encodeURIComponent(token.id)}`);
                        if (!result.ok) return result.problem.detail;
                        report('ok', `Token ${token.name} revoked.`);
                        list.refresh();
                        return undefined;
                      }}
                    >
                      <p>Scripts using it get 401 from now on.</p>
                    </ConfirmButton>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </DataState>
      <Modal title="New API token: copy it now" open={secret !== undefined} onClose={() => setSecret(undefined)}>
        <p>This token is shown once. Use it as <code>Authorization: Bearer &lt;token&gt;</code>.</p>
        <p>
          <code className="secret">{secret}</code>
        </p>
        <div className="modal-actions">
          {secret ? <CopyButton value={secret} label="Copy token" /> : null}
          <button type="button" className="button button-primary" onClick={() => setSecret(undefined)}>
            I have copied it
          </button>
        </div>
      </Modal>
    </section>
  );
}
