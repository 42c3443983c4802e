'use client';

import { useState } from 'react';
import { CopyButton } from '@/components/ui/copy-button';
import { Modal } from '@/components/ui/modal';
import { callApi } from '@/lib/client-api';
import { csvToObjects } from '@/lib/csv';

interface BulkItem {
  username: string;
  password?: string;
  groups?: string[];
  superuser?: boolean;
  enabled?: boolean;
  credentialLabel?: string;
}

interface BulkResult {
  created: number;
  failed: number;
  results: { index: number; username: string; status: 'created' | 'error'; userId?: string; password?: string; error?: { code: string; detail: string } }[];
}

const MAX_ROWS = 5000;

function truthy(value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  return ['1', 'true', 'yes', 'y'].includes(value.toLowerCase());
}

/** CSV (header: username,password,groups,superuser,enabled,credentialLabel; groups split by ";") -> bulk items. */
export function itemsFromCsv(text: string): { items: BulkItem[]; problems: string[] } {
  const { rows, headers } = csvToObjects(text);
  const problems: string[] = [];
  if (!headers.includes('username')) problems.push('The first line must be a header naming at least the "username" column.');
  if (rows.length > MAX_ROWS) problems.push(`At most ${MAX_ROWS} rows per import (this file has ${rows.length}).`);
  const items = rows.map((row, index) => {
    if (!row.username) problems.push(`Row ${index + 2}: username is empty.`);
    const groups = (row.groups ?? '').split(/[;|]/).map((group) => group.trim()).filter(Boolean);
    const superuser = truthy(row.superuser);
    const enabled = truthy(row.enabled);
    return {
      username: row.username ?? '',
      ...(row.password ? { password: row.password } : {}),
      ...(groups.length > 0 ? { groups } : {}),
      ...(superuser !== undefined ? { superuser } : {}),
      ...(enabled !== undefined ? { enabled } : {}),
      ...(row.credentiallabel ? { credentialLabel: row.credentiallabel } : {}),
    };
  });
  return { items, problems };
}

/** Bulk import from CSV with a per-row report; generated passwords are shown once, in the report. */
export function BulkImport({ onDone }: { onDone: (summary: string) => void }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [mode, setMode] = useState<'best-effort' | 'all-or-nothing'>('best-effort');
  const [problems, setProblems] = useState<string[]>([]);
  const [report, setReport] = useState<BulkResult>();
  const [pending, setPending] = useState(false);

  const parsed = text ? itemsFromCsv(text) : { items: [], problems: [] };
  const submit = async (): Promise<void> => {
    if (parsed.problems.length > 0 || parsed.items.length === 0) {
      setProblems(parsed.items.length === 0 ? ['No rows to import.'] : parsed.problems);
      return;
    }
    setPending(true);
    const result = await callApi<BulkResult>('POST', '/mqtt-users/bulk', { items: parsed.items, mode });
    setPending(false);
    if (!result.ok) {
      setProblems([result.problem.detail]);
      return;
    }
    setProblems([]);
    setReport(result.data);
    onDone(`Import finished: ${result.data.created} created, ${result.data.failed} failed.`);
  };
  const close = (): void => {
    setOpen(false);
    setReport(undefined);
    setText('');
    setProblems([]);
  };

  return (
    <>
      <button type="button" className="button" onClick={() => setOpen(true)}>
        Import CSV
      </button>
      <Modal title="Import MQTT users from CSV" open={open} onClose={close} wide>
        {report ? (
          <>
            <p role="status">
              {report.created} created, {report.failed} failed. Generated passwords are shown only now.
            </p>
            <div className="table-wrap report">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Row</th>
                    <th scope="col">Username</th>
                    <th scope="col">Result</th>
                    <th scope="col">Password</th>
                  </tr>
                </thead>
                <tbody>
                  {report.results.map((row) => (
                    <tr key={row.index}>
                      <td>{row.index + 2}</td>
                      <td>{row.username}</td>
                      <td>{row.status === 'created' ? <span className="status status-ok">created</span> : <span className="error-text">{row.error?.detail ?? 'error'}</span>}</td>
                      <td>{row.password ? <><code className="secret">{row.password}</code> <CopyButton value={row.password} /></> : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="modal-actions">
              <button type="button" className="button button-primary" onClick={close}>
                Done
              </button>
            </div>
          </>
        ) : (
          <>
            <p className="muted">
              Header line: <code>username,password,groups,superuser,enabled,credentialLabel</code>. Only username is required; groups are separated by <code>;</code>; an empty password is generated and shown once.
            </p>
            <label className="field">
              <span>CSV file</span>
              <input type="file" accept=".csv,text/csv" onChange={(event) => void event.target.files?.[0]?.text().then(setText)} />
            </label>
            <label className="field">
              <span>Or paste CSV</span>
              <textarea rows={8} value={text} onChange={(event) => setText(event.target.value)} spellCheck={false} />
            </label>
            <fieldset className="field">
              <legend>When a row fails</legend>
              <label className="check">
                <input type="radio" name="mode" checked={mode === 'best-effort'} onChange={() => setMode('best-effort')} /> Import the other rows (best effort)
              </label>
              <label className="check">
                <input type="radio" name="mode" checked={mode === 'all-or-nothing'} onChange={() => setMode('all-or-nothing')} /> Import nothing (all or nothing)
              </label>
            </fieldset>
            <p className="muted">{parsed.items.length} row(s) read.</p>
            {problems.length > 0 ? (
              <ul role="alert" className="error-text">
                {problems.slice(0, 20).map((problem) => (
                  <li key={problem}>{problem}</li>
                ))}
              </ul>
            ) : null}
            <div className="modal-actions">
              <button type="button" className="button" onClick={close}>
                Cancel
              </button>
              <button type="button" className="button button-primary" disabled={pending} onClick={() => void submit()}>
                {pending ? 'Importing…' : 'Import'}
              </button>
            </div>
          </>
        )}
      </Modal>
    </>
  );
}
