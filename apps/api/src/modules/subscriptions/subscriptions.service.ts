import { ApiError, ApiErrors } from '../../lib/api-error.js';
import { decodeCursor, encodeCursor } from '../../lib/schemas.js';
import type { SubscriptionRepository, SubscriptionRow } from './subscriptions.repository.js';

export function createSubscriptionService(deps: { repo: SubscriptionRepository }) {
  return {
    async list(query: { limit?: number; cursor?: string; topicFilter?: string; clientId?: string }): Promise<{ items: SubscriptionRow[]; nextCursor: string | null }> {
      const limit = query.limit ?? 50;
      let after: { clientId: string; topicFilter: string } | undefined;
      if (query.cursor !== undefined) {
        try {
          const value = JSON.parse(decodeCursor(query.cursor)) as unknown;
          if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'string') after = { clientId: value[0], topicFilter: value[1] };
        } catch {
          /* invalid below */
        }
        if (!after) throw new ApiError(ApiErrors.validation, 'Invalid querystring: /cursor: not a cursor of this list.', { extensions: { errors: [{ in: 'querystring', pointer: '/cursor', detail: 'not a cursor of this list' }] } });
      }
      const filter = { ...(query.topicFilter !== undefined ? { topicFilter: query.topicFilter } : {}), ...(query.clientId !== undefined ? { clientId: query.clientId } : {}) };
      const rows = await deps.repo.list(filter, after, limit + 1);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return { items: page, nextCursor: rows.length > limit && last ? encodeCursor(JSON.stringify([last.clientId, last.topicFilter])) : null };
    },
  };
}

export type SubscriptionService = ReturnType<typeof createSubscriptionService>;
