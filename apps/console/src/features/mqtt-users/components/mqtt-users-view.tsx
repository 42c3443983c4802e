'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { DataState } from '@/components/ui/data-state';
import { Modal } from '@/components/ui/modal';
import { Notice, useNotice } from '@/components/ui/notice';
import { Pager } from '@/components/ui/pager';
import { usePolling } from '@/hooks/use-polling';
import { useUrlState } from '@/hooks/use-url-state';
import { bffUrl, callApi } from '@/lib/client-api';
import { formatTime } from '@/lib/format';
import { parseGroups, type MqttUser, type Page } from '../types';
import { BulkImport } from './bulk-import';

/** MQTT users: search by username prefix, create, bulk import, export. */
export function MqttUsersView({ canWrite }: { canWrite: boolean }) {
  const url = useUrlState();
  const username = url.get('username');
  const cursor = url.get('cursor');
  const list = usePolling<Page<MqttUser>>(bffUrl('/mqtt-users', { username, cursor, limit: 50 }), 10_000);
  const [notice, showNotice, clearNotice] = useNotice();
  const [creating, setCreating] = useState(false);
  const [search, setSearch] = useState(username);

  return (
    <>
      <div className="toolbar">
        <form
          role="search"
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            url.set({ username: search.trim() });
          }}
        >
          <label className="field field-inline">
            <span>Username starts with</span>
            <input value={search} onChange={(event) => setSearch(event.target.value)} />
          </label>
          <button type="submit" className="button">
            Search
          </button>
        </form>
        <div className="toolbar-actions">
          <a className="button" href={bffUrl('/mqtt-users/export', { format: 'csv' })} download="mqtt-users.csv">
            Export CSV
          </a>
          {canWrite ? (
            <>
              <BulkImport onDone={(text) => { showNotice('ok', text); list.refresh(); }} />
              <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
                New user
              </button>
            </>
          ) : null}
        </div>
      </div>
      <Notice notice={notice} onDismiss={clearNotice} />
      <section className="panel">
        <DataState loading={list.loading} problem={list.problem} empty={(list.data?.items.length ?? 0) === 0} emptyText={username ? `No user starts with "${username}".` : 'No MQTT users yet.'}>
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">MQTT users</caption>
              <thead>
                <tr>
                  <th scope="col">Username</th>
                  <th scope="col">Status</th>
                  <th scope="col">Groups</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {list.data?.items.map((user) => (
                  <tr key={user.id}>
                    <td>
                      <Link href={`/mqtt-users/${encodeURIComponent(user.id)}`}>{user.username}</Link>
                      {user.superuser ? <span className="tag">superuser</span> : null}
                    </td>
                    <td>{user.enabled ? <span className="status status-ok">enabled</span> : <span className="status status-unreachable">disabled</span>}</td>
                    <td>{user.groups.join(', ') || '—'}</td>
                    <td>{formatTime(user.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager hasPrevious={Boolean(cursor)} nextCursor={list.data?.nextCursor} onFirst={() => url.set({ cursor: null })} onNext={(next) => url.set({ cursor: next })} />
        </DataState>
      </section>
      <CreateUserDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(user) => {
          setCreating(false);
          showNotice('ok', `User ${user.username} created.`);
          list.refresh();
        }}
      />
    </>
  );
}

function CreateUserDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (user: MqttUser) => void }) {
  const [error, setError] = useState<{ text: string; field?: string }>();
  const [pending, setPending] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const description = String(form.get('description') ?? '').trim();
    setPending(true);
    const result = await callApi<MqttUser>('POST', '/mqtt-users', {
      username: String(form.get('username') ?? '').trim(),
      groups: parseGroups(String(form.get('groups') ?? '')),
      superuser: form.get('superuser') === 'on',
      enabled: form.get('enabled') === 'on',
      ...(description ? { description } : {}),
    });
    setPending(false);
    if (!result.ok) {
      setError({ text: result.problem.detail, ...(result.problem.field ? { field: result.problem.field } : {}) });
      return;
    }
    setError(undefined);
    onCreated(result.data);
  };
  return (
    <Modal title="New MQTT user" open={open} onClose={() => { setError(undefined); onClose(); }}>
      <form className="form" onSubmit={(event) => void submit(event)}>
        <label className="field">
          <span>Username</span>
          <input name="username" required maxLength={256} aria-invalid={error?.field === 'username' || undefined} />
        </label>
        <label className="field">
          <span>Groups (comma separated)</span>
          <input name="groups" />
        </label>
        <label className="field">
          <span>Description</span>
          <input name="description" maxLength={500} />
        </label>
        <label className="check">
          <input type="checkbox" name="enabled" defaultChecked /> Enabled
        </label>
        <label className="check">
          <input type="checkbox" name="superuser" /> Superuser (bypasses ACL rules)
        </label>
        {error ? (
          <p role="alert" className="error-text">
            {error.text}
          </p>
        ) : null}
        <div className="modal-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={pending}>
            Create user
          </button>
        </div>
      </form>
    </Modal>
  );
}
