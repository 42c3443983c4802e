'use client';

import { useId, useState, type FormEvent } from 'react';
import { Modal } from '@/components/ui/modal';
import { callApi } from '@/lib/client-api';
import { draftProblems, draftWarnings, type AclRule, type AclRuleDraft } from '../types';
import { AffectedClients } from './affected-clients';

/** Create or edit an ACL rule; the topic filter and placeholders are checked as you type. */
export function AclRuleEditor({ rule, nextPriority, onClose, onSaved }: { rule: AclRule | undefined; nextPriority: number; onClose: () => void; onSaved: (text: string) => void }) {
  const [draft, setDraft] = useState<AclRuleDraft>(() =>
    rule
      ? { subjectKind: rule.subjectKind, subject: rule.subject, action: rule.action, topic: rule.topic, permission: rule.permission, qos: rule.qos, retain: rule.retain, priority: rule.priority, description: rule.description }
      : { subjectKind: 'everyone', subject: null, action: 'publish', topic: '', permission: 'allow', qos: [], retain: null, priority: nextPriority, description: null },
  );
  const [touched, setTouched] = useState(false);
  const [serverError, setServerError] = useState<string>();
  const [pending, setPending] = useState(false);
  const topicHelp = useId();
  const topicError = useId();
  const topicWarning = useId();
  const problems = draftProblems(draft);
  const topicProblems = problems.filter((problem) => problem.field === 'topic');
  const update = (changes: Partial<AclRuleDraft>): void => setDraft((previous) => ({ ...previous, ...changes }));

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    setTouched(true);
    if (problems.length > 0) return;
    const body = {
      subjectKind: draft.subjectKind,
      subject: draft.subjectKind === 'everyone' ? null : draft.subject?.trim() ?? null,
      action: draft.action,
      topic: draft.topic,
      permission: draft.permission,
      qos: draft.qos,
      retain: draft.action === 'subscribe' ? null : draft.retain,
      priority: draft.priority,
      description: draft.description?.trim() || null,
    };
    setPending(true);
    const result = rule ? await callApi<AclRule>('PATCH', `/acl-rules/${encodeURIComponent(rule.id)}`, body) : await callApi<AclRule>('POST', '/acl-rules', body);
    setPending(false);
    if (!result.ok) {
      setServerError(`${result.problem.detail}${result.problem.field ? ` (${result.problem.field})` : ''}`);
      return;
    }
    onSaved(`Rule ${result.data.permission} ${result.data.action} ${result.data.topic} ${rule ? 'saved' : 'created'}; brokers apply it at once.`);
  };

  return (
    <Modal title={rule ? 'Edit ACL rule' : 'New ACL rule'} open onClose={onClose} wide>
      <form className="form form-grid" onSubmit={(event) => void submit(event)} noValidate>
        <label className="field">
          <span>Permission</span>
          <select value={draft.permission} onChange={(event) => update({ permission: event.target.value as AclRuleDraft['permission'] })}>
            <option value="allow">allow</option>
            <option value="deny">deny</option>
          </select>
        </label>
        <label className="field">
          <span>Action</span>
          <select value={draft.action} onChange={(event) => update({ action: event.target.value as AclRuleDraft['action'] })}>
            <option value="publish">publish</option>
            <option value="subscribe">subscribe</option>
            <option value="all">publish and subscribe</option>
          </select>
        </label>
        <label className="field">
          <span>Applies to</span>
          <select value={draft.subjectKind} onChange={(event) => update({ subjectKind: event.target.value as AclRuleDraft['subjectKind'] })}>
            <option value="everyone">everyone</option>
            <option value="user">a user</option>
            <option value="group">a group</option>
          </select>
        </label>
        {draft.subjectKind !== 'everyone' ? (
          <label className="field">
            <span>{draft.subjectKind === 'user' ? 'Username' : 'Group'}</span>
            <input value={draft.subject ?? ''} onChange={(event) => update({ subject: event.target.value })} aria-invalid={touched && problems.some((problem) => problem.field === 'subject')} />
          </label>
        ) : null}
        <label className="field field-wide">
          <span>Topic filter</span>
          <input
            value={draft.topic}
            onChange={(event) => update({ topic: event.target.value })}
            spellCheck={false}
            className="mono"
            aria-invalid={topicProblems.length > 0 && draft.topic.length > 0}
            aria-describedby={`${topicHelp} ${topicError} ${topicWarning}`}
          />
          <small id={topicHelp} className="muted">
            Wildcards + and #; placeholders {'${username}'} and {'${clientid}'} (or %u, %c); prefix “eq ” to match a filter literally.
          </small>
          <small id={topicError} className="error-text" aria-live="polite" data-testid="topic-validation">
            {draft.topic.length > 0 || touched ? topicProblems.map((problem) => problem.message).join(' ') : ''}
          </small>
          <small id={topicWarning} className="warning-text" aria-live="polite" data-testid="topic-warning">
            {draftWarnings(draft.topic).join(' ')}
          </small>
        </label>
        <label className="field">
          <span>Priority (lower first)</span>
          <input type="number" value={Number.isFinite(draft.priority) ? draft.priority : ''} onChange={(event) => update({ priority: event.target.value === '' ? Number.NaN : Number(event.target.value) })} />
        </label>
        <fieldset className="field">
          <legend>QoS (none checked = any)</legend>
          {[0, 1, 2].map((qos) => (
            <label key={qos} className="check check-inline">
              <input type="checkbox" checked={draft.qos.includes(qos)} onChange={(event) => update({ qos: event.target.checked ? [...draft.qos, qos].sort() : draft.qos.filter((q) => q !== qos) })} /> {qos}
            </label>
          ))}
        </fieldset>
        {draft.action !== 'subscribe' ? (
          <label className="field">
            <span>Retain flag (publish)</span>
            <select value={draft.retain === null ? 'any' : String(draft.retain)} onChange={(event) => update({ retain: event.target.value === 'any' ? null : event.target.value === 'true' })}>
              <option value="any">any</option>
              <option value="true">retained only</option>
              <option value="false">not retained only</option>
            </select>
          </label>
        ) : null}
        <label className="field field-wide">
          <span>Description</span>
          <input value={draft.description ?? ''} onChange={(event) => update({ description: event.target.value })} maxLength={500} />
        </label>
        <AffectedClients draft={draft} valid={problems.length === 0} />
        {touched && problems.length > 0 ? (
          <ul role="alert" className="error-text field-wide">
            {problems.map((problem) => (
              <li key={problem.message}>{problem.message}</li>
            ))}
          </ul>
        ) : null}
        {serverError ? (
          <p role="alert" className="error-text field-wide">
            {serverError}
          </p>
        ) : null}
        <div className="modal-actions field-wide">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={pending}>
            {rule ? 'Save rule' : 'Create rule'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
