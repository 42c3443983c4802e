'use client';

import { useState, type FormEvent } from 'react';
import { callApi } from '@/lib/client-api';

/** Publish one message through the broker (POST /publish, audited): retained by default here. */
export function PublishForm({ onPublished }: { onPublished: (text: string) => void }) {
  const [error, setError] = useState<string>();
  const [pending, setPending] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const topic = String(form.get('topic') ?? '').trim();
    const contentType = String(form.get('contentType') ?? '').trim();
    const retain = form.get('retain') === 'on';
    setPending(true);
    const result = await callApi('POST', '/publish', {
      topic,
      payload: String(form.get('payload') ?? ''),
      payloadEncoding: 'utf8',
      qos: Number(form.get('qos')),
      retain,
      ...(contentType ? { properties: { contentType } } : {}),
    });
    setPending(false);
    if (!result.ok) {
      setError(result.problem.detail);
      return;
    }
    setError(undefined);
    onPublished(`Published to ${topic}${retain ? ' (retained)' : ''}.`);
  };
  return (
    <details className="panel">
      <summary className="panel-title">Publish a message</summary>
      <form className="form form-grid" onSubmit={(event) => void submit(event)}>
        <label className="field">
          <span>Topic</span>
          <input name="topic" required className="mono" />
        </label>
        <label className="field">
          <span>QoS</span>
          <select name="qos" defaultValue="1">
            <option value="0">0</option>
            <option value="1">1</option>
            <option value="2">2</option>
          </select>
        </label>
        <label className="field">
          <span>Content type (optional)</span>
          <input name="contentType" placeholder="application/json" />
        </label>
        <label className="check">
          <input type="checkbox" name="retain" defaultChecked /> Retain
        </label>
        <label className="field field-wide">
          <span>Payload (UTF-8)</span>
          <textarea name="payload" rows={4} spellCheck={false} />
        </label>
        {error ? (
          <p role="alert" className="error-text field-wide">
            {error}
          </p>
        ) : null}
        <div>
          <button type="submit" className="button button-primary" disabled={pending}>
            Publish
          </button>
        </div>
      </form>
    </details>
  );
}
