'use client';

import { useState, type FormEvent } from 'react';
import { callApi } from '@/lib/client-api';
import { REASON_TEXT, type AclRule, type ExplainResult } from '../types';

/** "Explain access": what the broker would decide for one request, and the rule that decided. */
export function ExplainAccess({ rules, onDecidingRule }: { rules: AclRule[]; onDecidingRule: (ruleId: string | null) => void }) {
  const [result, setResult] = useState<ExplainResult>();
  const [error, setError] = useState<string>();
  const [pending, setPending] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const username = String(form.get('username') ?? '').trim();
    setPending(true);
    const response = await callApi<ExplainResult>('POST', '/acl-rules/explain', {
      ...(username ? { username } : {}),
      clientId: String(form.get('clientId') ?? ''),
      action: String(form.get('action')),
      topic: String(form.get('topic') ?? ''),
      qos: Number(form.get('qos')),
      retain: form.get('retain') === 'on',
    });
    setPending(false);
    if (!response.ok) {
      setError(response.problem.detail);
      setResult(undefined);
      onDecidingRule(null);
      return;
    }
    setError(undefined);
    setResult(response.data);
    onDecidingRule(response.data.ruleId);
  };
  const rule = result?.ruleId ? rules.find((candidate) => candidate.id === result.ruleId) : undefined;

  return (
    <section className="panel" aria-labelledby="explain-title">
      <h2 id="explain-title" className="panel-title">
        Explain access
      </h2>
      <form className="form form-grid" onSubmit={(event) => void submit(event)}>
        <label className="field">
          <span>Username (empty = anonymous)</span>
          <input name="username" />
        </label>
        <label className="field">
          <span>Client id</span>
          <input name="clientId" />
        </label>
        <label className="field">
          <span>Action</span>
          <select name="action" defaultValue="publish">
            <option value="publish">publish</option>
            <option value="subscribe">subscribe</option>
          </select>
        </label>
        <label className="field">
          <span>Topic</span>
          <input name="topic" required className="mono" />
        </label>
        <label className="field">
          <span>QoS</span>
          <select name="qos" defaultValue="0">
            <option value="0">0</option>
            <option value="1">1</option>
            <option value="2">2</option>
          </select>
        </label>
        <label className="check">
          <input type="checkbox" name="retain" /> Retain flag
        </label>
        <div className="field-wide">
          <button type="submit" className="button button-primary" disabled={pending}>
            Explain
          </button>
        </div>
      </form>
      {error ? (
        <p role="alert" className="error-text">
          {error}
        </p>
      ) : null}
      {result ? (
        <div role="status" className={`alert ${result.allowed ? 'alert-ok' : 'alert-error'}`} data-testid="explain-result">
          <strong>{result.allowed ? 'Allowed' : 'Denied'}</strong> — {REASON_TEXT[result.reason]}
          {rule ? (
            <p data-testid="explain-rule">
              Deciding rule: priority {rule.priority}, {rule.permission} {rule.action} <code>{rule.topic}</code> for {rule.subjectKind === 'everyone' ? 'everyone' : `${rule.subjectKind} ${rule.subject}`}
              {rule.description ? ` (${rule.description})` : ''}
            </p>
          ) : result.ruleId ? (
            <p data-testid="explain-rule">Deciding rule id: {result.ruleId}</p>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
