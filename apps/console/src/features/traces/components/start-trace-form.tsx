'use client';

import { useActionState } from 'react';
import { startTrace, type StartTraceState } from '../actions';
import styles from './traces.module.css';

/** Starts a trace (POST /api/v1/traces); the API's problem detail is shown next to the form. */
export function StartTraceForm() {
  const [state, action, pending] = useActionState<StartTraceState, FormData>(startTrace, {});
  return (
    <form action={action} aria-label="Start a trace">
      <div className={styles.form}>
        <label>
          Name
          <input name="name" required maxLength={200} defaultValue="trace" />
        </label>
        <label>
          Client id (exact or *)
          <input name="clientId" maxLength={256} placeholder="sensor-*" />
        </label>
        <label>
          Username
          <input name="username" maxLength={256} />
        </label>
        <label>
          Topic filter
          <input name="topicFilter" maxLength={1024} placeholder="devices/+/commands" />
        </label>
        <label>
          IP or CIDR
          <input name="ip" maxLength={64} />
        </label>
        <label>
          Duration (seconds)
          <input name="durationSeconds" type="number" min={1} max={86400} defaultValue={600} required />
        </label>
        <label>
          Payload bytes to capture
          <input name="payloadCaptureBytes" type="number" min={0} max={4096} defaultValue={64} />
        </label>
        <label>
          Payload encoding
          <select name="payloadEncoding" defaultValue="text">
            <option value="text">text</option>
            <option value="base64">base64</option>
            <option value="hex">hex</option>
          </select>
        </label>
        <label>
          Max events
          <input name="maxEvents" type="number" min={1} max={1000000} defaultValue={10000} />
        </label>
        <div>
          <button className={styles.button} type="submit" disabled={pending}>
            {pending ? 'Starting…' : 'Start trace'}
          </button>
        </div>
      </div>
      {state.error ? (
        <p className={styles.error} role="alert">
          {state.field ? `${state.field}: ` : ''}
          {state.error}
        </p>
      ) : null}
    </form>
  );
}
