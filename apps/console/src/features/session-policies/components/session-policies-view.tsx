'use client';

import { useState, type FormEvent } from 'react';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { DataState } from '@/components/ui/data-state';
import { Modal } from '@/components/ui/modal';
import { Notice, useNotice } from '@/components/ui/notice';
import { usePolling } from '@/hooks/use-polling';
import { callApi } from '@/lib/client-api';
import { formatTime } from '@/lib/format';

interface PolicyFields {
  sessionExpiryMax: number | null;
  maxQueued: number | null;
  queueQos0: boolean | null;
  dropPolicy: 'drop-oldest' | 'drop-new' | null;
  maxInflight: number | null;
  maxPacketSize: number | null;
  keepAliveMax: number | null;
}

interface DefaultPolicy extends PolicyFields {
  updatedAt: string;
}

interface PolicyOverride extends PolicyFields {
  id: string;
  target: { type: 'user' | 'group'; name: string };
  createdAt: string;
  updatedAt: string;
}

const NUMBER_FIELDS: { key: 'sessionExpiryMax' | 'maxQueued' | 'maxInflight' | 'maxPacketSize' | 'keepAliveMax'; label: string }[] = [
  { key: 'sessionExpiryMax', label: 'Max session expiry (s)' },
  { key: 'maxQueued', label: 'Max queued messages' },
  { key: 'maxInflight', label: 'Max in flight' },
  { key: 'maxPacketSize', label: 'Max packet size (bytes)' },
  { key: 'keepAliveMax', label: 'Max keep alive (s)' },
];

function fieldsFromForm(form: FormData): PolicyFields | string {
  const fields: Partial<PolicyFields> = {};
  for (const { key, label } of NUMBER_FIELDS) {
    const raw = String(form.get(key) ?? '').trim();
    if (raw === '') fields[key] = null;
    else if (!/^\d+$/.test(raw)) return `${label} must be a whole number, or empty to inherit.`;
    else fields[key] = Number(raw);
  }
  const qos0 = String(form.get('queueQos0'));
  fields.queueQos0 = qos0 === 'inherit' ? null : qos0 === 'true';
  const drop = String(form.get('dropPolicy'));
  fields.dropPolicy = drop === 'inherit' ? null : (drop as 'drop-oldest' | 'drop-new');
  return fields as PolicyFields;
}

function PolicyFieldsInputs({ value }: { value: Partial<PolicyFields> | undefined }) {
  return (
    <>
      {NUMBER_FIELDS.map((field) => (
        <label key={field.key} className="field">
          <span>{field.label}</span>
          <input name={field.key} inputMode="numeric" placeholder="inherit" defaultValue={value?.[field.key] ?? ''} />
        </label>
      ))}
      <label className="field">
        <span>Queue QoS 0 messages</span>
        <select name="queueQos0" defaultValue={value?.queueQos0 === null || value?.queueQos0 === undefined ? 'inherit' : String(value.queueQos0)}>
          <option value="inherit">inherit</option>
          <option value="true">yes</option>
          <option value="false">no</option>
        </select>
      </label>
      <label className="field">
        <span>When the queue is full</span>
        <select name="dropPolicy" defaultValue={value?.dropPolicy ?? 'inherit'}>
          <option value="inherit">inherit</option>
          <option value="drop-oldest">drop the oldest</option>
          <option value="drop-new">drop the new message</option>
        </select>
      </label>
    </>
  );
}

function describe(fields: PolicyFields): string {
  const parts = [
    fields.sessionExpiryMax !== null ? `expiry ≤ ${fields.sessionExpiryMax} s` : null,
    fields.maxQueued !== null ? `queue ≤ ${fields.maxQueued}` : null,
    fields.queueQos0 !== null ? `QoS 0 ${fields.queueQos0 ? 'queued' : 'not queued'}` : null,
    fields.dropPolicy,
    fields.maxInflight !== null ? `in flight ≤ ${fields.maxInflight}` : null,
    fields.maxPacketSize !== null ? `packets ≤ ${fields.maxPacketSize} B` : null,
    fields.keepAliveMax !== null ? `keep alive ≤ ${fields.keepAliveMax} s` : null,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' · ') : 'inherits everything';
}

/** Global session defaults and per-user / per-group overrides (empty = inherit). */
export function SessionPoliciesView({ canWrite }: { canWrite: boolean }) {
  const defaults = usePolling<DefaultPolicy>('/bff/session-policies/default', 0);
  const overrides = usePolling<{ items: PolicyOverride[] }>('/bff/session-policies', 15_000);
  const [notice, showNotice, clearNotice] = useNotice();
  const [editing, setEditing] = useState<PolicyOverride | 'new'>();
  const [error, setError] = useState<string>();

  const saveDefaults = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const fields = fieldsFromForm(new FormData(event.currentTarget));
    if (typeof fields === 'string') return setError(fields);
    const result = await callApi<DefaultPolicy>('PUT', '/session-policies/default', fields);
    if (!result.ok) return setError(result.problem.detail);
    setError(undefined);
    showNotice('ok', 'Default session policy saved; it applies to new connections.');
    defaults.refresh();
  };

  return (
    <>
      <Notice notice={notice} onDismiss={clearNotice} />
      <section className="panel" aria-labelledby="defaults-title">
        <h2 id="defaults-title" className="panel-title">
          Defaults
        </h2>
        <DataState loading={defaults.loading} problem={defaults.problem} empty={!defaults.data} emptyText="">
          <form key={defaults.data?.updatedAt} className="form form-grid" onSubmit={(event) => void saveDefaults(event)}>
            <fieldset disabled={!canWrite} className="plain">
              <PolicyFieldsInputs value={defaults.data} />
            </fieldset>
            {error ? (
              <p role="alert" className="error-text field-wide">
                {error}
              </p>
            ) : null}
            {canWrite ? (
              <div>
                <button type="submit" className="button button-primary">
                  Save defaults
                </button>
              </div>
            ) : null}
            <p className="muted field-wide">
              {defaults.data?.updatedAt ? `Updated ${formatTime(defaults.data.updatedAt)}.` : 'Never changed.'} Empty fields use the broker’s configuration; overrides for a user win over a group’s, which win over these.
            </p>
          </form>
        </DataState>
      </section>
      <section className="panel" aria-labelledby="overrides-title">
        <div className="panel-head">
          <h2 id="overrides-title" className="panel-title">
            Overrides
          </h2>
          {canWrite ? (
            <button type="button" className="button button-primary" onClick={() => setEditing('new')}>
              New override
            </button>
          ) : null}
        </div>
        <DataState loading={overrides.loading} problem={overrides.problem} empty={(overrides.data?.items.length ?? 0) === 0} emptyText="No overrides: everyone gets the defaults.">
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Session policy overrides</caption>
              <thead>
                <tr>
                  <th scope="col">For</th>
                  <th scope="col">Limits</th>
                  <th scope="col">Updated</th>
                  {canWrite ? <th scope="col">Actions</th> : null}
                </tr>
              </thead>
              <tbody>
                {overrides.data?.items.map((policy) => (
                  <tr key={policy.id}>
                    <td>
                      {policy.target.type} <strong>{policy.target.name}</strong>
                    </td>
                    <td>{describe(policy)}</td>
                    <td>{formatTime(policy.updatedAt)}</td>
                    {canWrite ? (
                      <td className="actions">
                        <button type="button" className="button button-small" onClick={() => setEditing(policy)} aria-label={`Edit override for ${policy.target.type} ${policy.target.name}`}>
                          Edit
                        </button>
                        <ConfirmButton
                          label="Delete"
                          buttonClassName="button button-small button-danger"
                          ariaLabel={`Delete override for ${policy.target.type} ${policy.target.name}`}
                          title="Delete this override?"
                          confirmLabel="Delete override"
                          onConfirm={async () => {
                            const result = await callApi('DELETE', `/session-policies/${encodeURIComponent(policy.id)}`);
                            if (!result.ok) return result.problem.detail;
                            showNotice('ok', `Override for ${policy.target.type} ${policy.target.name} deleted.`);
                            overrides.refresh();
                            return undefined;
                          }}
                        >
                          <p>
                            {policy.target.type} {policy.target.name} gets the defaults again.
                          </p>
                        </ConfirmButton>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </DataState>
      </section>
      {editing ? (
        <OverrideEditor
          policy={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onSaved={(text) => {
            setEditing(undefined);
            showNotice('ok', text);
            overrides.refresh();
          }}
        />
      ) : null}
    </>
  );
}

function OverrideEditor({ policy, onClose, onSaved }: { policy: PolicyOverride | undefined; onClose: () => void; onSaved: (text: string) => void }) {
  const [error, setError] = useState<string>();
  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const fields = fieldsFromForm(form);
    if (typeof fields === 'string') return setError(fields);
    const target = { type: String(form.get('targetType')) as 'user' | 'group', name: String(form.get('targetName') ?? '').trim() };
    const result = policy ? await callApi<PolicyOverride>('PATCH', `/session-policies/${encodeURIComponent(policy.id)}`, fields) : await callApi<PolicyOverride>('POST', '/session-policies', { target, ...fields });
    if (!result.ok) return setError(result.problem.detail);
    onSaved(`Override for ${result.data.target.type} ${result.data.target.name} saved.`);
  };
  return (
    <Modal title={policy ? `Override for ${policy.target.type} ${policy.target.name}` : 'New override'} open onClose={onClose} wide>
      <form className="form form-grid" onSubmit={(event) => void submit(event)}>
        <label className="field">
          <span>For a</span>
          <select name="targetType" defaultValue={policy?.target.type ?? 'user'} disabled={Boolean(policy)}>
            <option value="user">user</option>
            <option value="group">group</option>
          </select>
        </label>
        <label className="field">
          <span>Name</span>
          <input name="targetName" required defaultValue={policy?.target.name ?? ''} disabled={Boolean(policy)} />
        </label>
        <PolicyFieldsInputs value={policy} />
        {error ? (
          <p role="alert" className="error-text field-wide">
            {error}
          </p>
        ) : null}
        <div className="modal-actions field-wide">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary">
            Save override
          </button>
        </div>
      </form>
    </Modal>
  );
}
