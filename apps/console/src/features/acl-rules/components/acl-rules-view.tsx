'use client';

import { useState } from 'react';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { DataState } from '@/components/ui/data-state';
import { Notice, useNotice } from '@/components/ui/notice';
import { Pager } from '@/components/ui/pager';
import { usePolling } from '@/hooks/use-polling';
import { useUrlState } from '@/hooks/use-url-state';
import { bffUrl, callApi, type CallResult } from '@/lib/client-api';
import type { AclRule } from '../types';
import { AclRuleEditor } from './acl-rule-editor';
import { ExplainAccess } from './explain-access';

function subjectText(rule: AclRule): string {
  return rule.subjectKind === 'everyone' ? 'everyone' : `${rule.subjectKind} ${rule.subject ?? ''}`;
}

/** ACL rules in evaluation order, the editor, and Explain access. */
export function AclRulesView({ canWrite }: { canWrite: boolean }) {
  const url = useUrlState();
  const cursor = url.get('cursor');
  const rules = usePolling<{ items: AclRule[]; nextCursor: string | null }>(bffUrl('/acl-rules', { limit: 100, cursor }), 10_000);
  const [notice, showNotice, clearNotice] = useNotice();
  const [editing, setEditing] = useState<AclRule | 'new'>();
  const [highlight, setHighlight] = useState<string | null>(null);
  const items = rules.data?.items ?? [];

  /** Every rule id in evaluation order (the API reorders only when given all of them). */
  const allRuleIds = async (): Promise<string[] | string> => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: CallResult<{ items: AclRule[]; nextCursor: string | null }> = await callApi('GET', bffUrl('/acl-rules', { limit: 100, cursor }));
      if (!page.ok) return page.problem.detail;
      ids.push(...page.data.items.map((rule) => rule.id));
      cursor = page.data.nextCursor;
    } while (cursor);
    return ids;
  };

  const move = async (index: number, offset: -1 | 1): Promise<void> => {
    const all = await allRuleIds();
    if (typeof all === 'string') return showNotice('error', all);
    const order = all;
    const from = order.indexOf(items[index]?.id ?? '');
    const target = from + offset;
    if (from < 0 || target < 0 || target >= order.length) return;
    [order[from], order[target]] = [order[target]!, order[from]!];
    const result = await callApi('PUT', '/acl-rules/order', { ids: order });
    if (!result.ok) showNotice('error', result.problem.status === 409 ? `The rules changed meanwhile; try again. (${result.problem.detail})` : result.problem.detail);
    else showNotice('ok', 'Order saved: priorities renumbered 10, 20, 30, …');
    rules.refresh();
  };

  return (
    <>
      <div className="toolbar">
        <p className="muted">Rules are evaluated from the lowest priority number up; the first rule that matches decides.</p>
        {canWrite ? (
          <button type="button" className="button button-primary" onClick={() => setEditing('new')}>
            New rule
          </button>
        ) : null}
      </div>
      <Notice notice={notice} onDismiss={clearNotice} />
      <section className="panel">
        <DataState loading={rules.loading} problem={rules.problem} empty={items.length === 0} emptyText="No ACL rules: every request gets the broker's default.">
          <div className="table-wrap">
            <table className="table" data-testid="acl-rules-table">
              <caption className="visually-hidden">ACL rules by priority</caption>
              <thead>
                <tr>
                  <th scope="col" className="num">Priority</th>
                  <th scope="col">Permission</th>
                  <th scope="col">Who</th>
                  <th scope="col">Action</th>
                  <th scope="col">Topic</th>
                  <th scope="col">QoS</th>
                  <th scope="col">Retain</th>
                  <th scope="col">Description</th>
                  {canWrite ? <th scope="col">Actions</th> : null}
                </tr>
              </thead>
              <tbody>
                {items.map((rule, index) => (
                  <tr key={rule.id} className={highlight === rule.id ? 'row-highlight' : undefined} data-rule-id={rule.id}>
                    <td className="num">{rule.priority}</td>
                    <td>
                      <span className={`status ${rule.permission === 'allow' ? 'status-ok' : 'status-unreachable'}`}>{rule.permission}</span>
                    </td>
                    <td>{subjectText(rule)}</td>
                    <td>{rule.action}</td>
                    <td>
                      <code>{rule.topic}</code>
                    </td>
                    <td>{rule.qos.length > 0 ? rule.qos.join(', ') : 'any'}</td>
                    <td>{rule.retain === null ? 'any' : rule.retain ? 'yes' : 'no'}</td>
                    <td>{rule.description ?? ''}</td>
                    {canWrite ? (
                      <td className="actions">
                        <button type="button" className="button button-small" aria-label={`Move rule ${rule.topic} up`} disabled={index === 0 && !cursor} onClick={() => void move(index, -1)}>
                          ↑
                        </button>
                        <button type="button" className="button button-small" aria-label={`Move rule ${rule.topic} down`} disabled={index === items.length - 1 && !rules.data?.nextCursor} onClick={() => void move(index, 1)}>
                          ↓
                        </button>
                        <button type="button" className="button button-small" onClick={() => setEditing(rule)} aria-label={`Edit rule ${rule.topic}`}>
                          Edit
                        </button>
                        <ConfirmButton
                          label="Delete"
                          buttonClassName="button button-small button-danger"
                          ariaLabel={`Delete rule ${rule.topic}`}
                          title="Delete this rule?"
                          confirmLabel="Delete rule"
                          onConfirm={async () => {
                            const result = await callApi('DELETE', `/acl-rules/${encodeURIComponent(rule.id)}`);
                            if (!result.ok) return result.problem.detail;
                            showNotice('ok', `Rule ${rule.permission} ${rule.action} ${rule.topic} deleted; brokers apply it at once.`);
                            rules.refresh();
                            return undefined;
                          }}
                        >
                          <p>
                            {rule.permission} {rule.action} <code>{rule.topic}</code> for {subjectText(rule)}. Brokers stop applying it at once.
                          </p>
                        </ConfirmButton>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager hasPrevious={Boolean(cursor)} nextCursor={rules.data?.nextCursor} onFirst={() => url.set({ cursor: null })} onNext={(next) => url.set({ cursor: next })} />
        </DataState>
      </section>
      <ExplainAccess rules={items} onDecidingRule={setHighlight} />
      {editing ? (
        <AclRuleEditor
          rule={editing === 'new' ? undefined : editing}
          nextPriority={(items.at(-1)?.priority ?? 0) + 10}
          onClose={() => setEditing(undefined)}
          onSaved={(text) => {
            setEditing(undefined);
            showNotice('ok', text);
            rules.refresh();
          }}
        />
      ) : null}
    </>
  );
}
