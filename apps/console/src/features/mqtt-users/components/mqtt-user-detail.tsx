'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { DataState, ProblemAlert } from '@/components/ui/data-state';
import { Notice, useNotice } from '@/components/ui/notice';
import { usePolling } from '@/hooks/use-polling';
import { callApi } from '@/lib/client-api';
import { formatTime } from '@/lib/format';
import { parseGroups, type MqttUser } from '../types';
import { Credentials } from './credentials';

/** One MQTT user: edit, enable/disable, delete, and its credentials. */
export function MqttUserDetail({ userId, canWrite }: { userId: string; canWrite: boolean }) {
  const router = useRouter();
  const path = `/mqtt-users/${encodeURIComponent(userId)}`;
  const user = usePolling<MqttUser>(`/bff${path}`, 0);
  const [notice, showNotice, clearNotice] = useNotice();

  const patch = async (changes: Partial<MqttUser>, done: string): Promise<string | undefined> => {
    const result = await callApi<MqttUser>('PATCH', path, changes);
    if (!result.ok) return result.problem.detail;
    showNotice('ok', done);
    user.refresh();
    return undefined;
  };

  if (user.loading || (!user.data && user.problem)) {
    return <DataState loading={user.loading} problem={user.problem} empty={false} emptyText="">{null}</DataState>;
  }
  const data = user.data!;
  return (
    <>
      <div className="page-header">
        <div>
          <h1 className="page-title">MQTT user {data.username}</h1>
          <p className="muted">
            {data.enabled ? 'Enabled' : 'Disabled'}
            {data.superuser ? ' · superuser' : ''} · created {formatTime(data.createdAt)}
          </p>
        </div>
        {canWrite ? (
          <div className="page-actions">
            {data.enabled ? (
              <ConfirmButton label="Disable" title={`Disable ${data.username}?`} confirmLabel="Disable user" onConfirm={() => patch({ enabled: false }, `User ${data.username} disabled.`)}>
                <p>Clients of this user can no longer connect. Existing connections are closed by the broker.</p>
              </ConfirmButton>
            ) : (
              <button type="button" className="button" onClick={() => void patch({ enabled: true }, `User ${data.username} enabled.`).then((error) => error && showNotice('error', error))}>
                Enable
              </button>
            )}
            <ConfirmButton
              label="Delete user"
              title={`Delete ${data.username}?`}
              confirmLabel="Delete user and credentials"
              onConfirm={async () => {
                const result = await callApi('DELETE', path);
                if (!result.ok) return result.problem.detail;
                router.push('/mqtt-users');
                return undefined;
              }}
            >
              <p>The user and all its credentials are deleted. This cannot be undone.</p>
            </ConfirmButton>
          </div>
        ) : null}
      </div>
      <Notice notice={notice} onDismiss={clearNotice} />
      {user.problem ? <ProblemAlert problem={user.problem} /> : null}
      <EditUser key={data.updatedAt} user={data} canWrite={canWrite} onSave={(changes) => patch(changes, 'Changes saved.')} />
      <Credentials userId={userId} username={data.username} canWrite={canWrite} />
    </>
  );
}

function EditUser({ user, canWrite, onSave }: { user: MqttUser; canWrite: boolean; onSave: (changes: Partial<MqttUser>) => Promise<string | undefined> }) {
  const [error, setError] = useState<string>();
  const [pending, setPending] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const description = String(form.get('description') ?? '').trim();
    setPending(true);
    setError(await onSave({ groups: parseGroups(String(form.get('groups') ?? '')), superuser: form.get('superuser') === 'on', description: description || null }));
    setPending(false);
  };
  return (
    <section className="panel" aria-labelledby="user-settings">
      <h2 id="user-settings" className="panel-title">
        Settings
      </h2>
      <form className="form form-grid" onSubmit={(event) => void submit(event)}>
        <fieldset disabled={!canWrite} className="plain">
          <label className="field">
            <span>Groups (comma separated)</span>
            <input name="groups" defaultValue={user.groups.join(', ')} />
          </label>
          <label className="field">
            <span>Description</span>
            <input name="description" defaultValue={user.description ?? ''} maxLength={500} />
          </label>
          <label className="check">
            <input type="checkbox" name="superuser" defaultChecked={user.superuser} /> Superuser (bypasses ACL rules)
          </label>
          {canWrite ? (
            <button type="submit" className="button button-primary" disabled={pending}>
              Save changes
            </button>
          ) : null}
        </fieldset>
        {error ? (
          <p role="alert" className="error-text">
            {error}
          </p>
        ) : null}
      </form>
    </section>
  );
}
