'use client';

import { useEffect, useState } from 'react';
import { bffUrl, callApi } from '@/lib/client-api';
import type { AclRuleDraft } from '../types';

interface Affected {
  items: { clientId: string; username: string | null; publish: boolean; subscriptions: { topicFilter: string }[] }[];
  total: number;
  truncated: boolean;
}

/** Which connected clients the rule being edited would affect (GET /acl-rules/affected, nothing written). */
export function AffectedClients({ draft, valid }: { draft: AclRuleDraft; valid: boolean }) {
  const [state, setState] = useState<{ key: string; affected?: Affected; error?: string }>();
  const query = {
    subjectKind: draft.subjectKind,
    subject: draft.subjectKind === 'everyone' ? null : draft.subject?.trim(),
    action: draft.action,
    topic: draft.topic,
    permission: draft.permission,
    qos: draft.qos.length > 0 ? draft.qos.join(',') : null,
    retain: draft.action === 'subscribe' ? null : draft.retain,
    priority: Number.isFinite(draft.priority) ? draft.priority : null,
    limit: 20,
  };
  const key = bffUrl('/acl-rules/affected', query);
  useEffect(() => {
    if (!valid) return;
    let cancelled = false;
    const timer = setTimeout(() => {
      void callApi<Affected>('GET', key).then((result) => {
        if (cancelled) return;
        setState(result.ok ? { key, affected: result.data } : { key, error: result.problem.detail });
      });
    }, 400);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [key, valid]);

  if (!valid || state?.key !== key) return <p className="muted field-wide" aria-live="polite" data-testid="affected-clients" />;
  if (state.error) return <p className="muted field-wide" aria-live="polite" data-testid="affected-clients">Cannot tell which clients this affects: {state.error}</p>;
  const affected = state.affected!;
  return (
    <p className="muted field-wide" aria-live="polite" data-testid="affected-clients">
      {affected.total === 0
        ? 'No connected client would be affected.'
        : `Would affect ${affected.total} connected client(s): ${affected.items
            .slice(0, 5)
            .map((client) => client.clientId)
            .join(', ')}${affected.total > 5 ? ', …' : ''}.`}
    </p>
  );
}
