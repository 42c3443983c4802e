import type { AuditEvent } from '@repo/db';
import { ApiError, ApiErrors } from '../../lib/api-error.js';
import type { Actor } from '../../lib/roles.js';
import { decodeCursor, encodeCursor } from '../../lib/schemas.js';
import type { AuditEventRepository } from './audit-events.repository.js';

export interface AuditEventView {
  id: string;
  at: string;
  actor: string;
  action: string;
  resource: string;
  resourceId: string | null;
  before: unknown;
  after: unknown;
}

/** Events about who may use the API: only admins read them. */
export const ADMIN_ONLY_RESOURCES = ['admin', 'api-token', 'admin-session'] as const;

export interface AuditEventQuery {
  actor?: string;
  action?: string;
  resource?: string;
  resourceId?: string;
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
}

function toView(row: AuditEvent): AuditEventView {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actor: row.actor,
    action: row.action,
    resource: row.resourceType,
    resourceId: row.resourceId,
    before: row.before ?? null,
    after: row.after ?? null,
  };
}

export function createAuditEventService(deps: { repo: AuditEventRepository }) {
  return {
    /** Newest first. Operators see everything but events about admins, API tokens and console sessions. */
    async list(actor: Actor, query: AuditEventQuery): Promise<{ items: AuditEventView[]; nextCursor: string | null }> {
      const limit = query.limit ?? 50;
      let before: { at: Date; id: string } | undefined;
      if (query.cursor !== undefined) {
        const [at, id] = decodeCursor(query.cursor).split('|', 2);
        const date = new Date(at ?? '');
        if (!id || Number.isNaN(date.getTime())) throw new ApiError(ApiErrors.badRequest, 'Invalid cursor.', { extensions: { field: 'cursor' } });
        before = { at: date, id };
      }
      const rows = await deps.repo.list(
        {
          ...(query.actor !== undefined ? { actor: query.actor } : {}),
          ...(query.action !== undefined ? { action: query.action } : {}),
          ...(query.resource !== undefined ? { resourceType: query.resource } : {}),
          ...(query.resourceId !== undefined ? { resourceId: query.resourceId } : {}),
          ...(query.since !== undefined ? { since: new Date(query.since) } : {}),
          ...(query.until !== undefined ? { until: new Date(query.until) } : {}),
          ...(actor.role === 'admin' ? {} : { hiddenResourceTypes: ADMIN_ONLY_RESOURCES }),
        },
        { limit: limit + 1, ...(before ? { before } : {}) },
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return { items: page.map(toView), nextCursor: rows.length > limit && last ? encodeCursor(`${last.at.toISOString()}|${last.id}`) : null };
    },
  };
}

export type AuditEventService = ReturnType<typeof createAuditEventService>;
