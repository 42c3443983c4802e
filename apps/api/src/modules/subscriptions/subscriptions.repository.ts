import type { PrismaClient } from '@repo/db';

export interface SubscriptionRow {
  clientId: string;
  topicFilter: string;
  qos: 0 | 1 | 2;
  noLocal: boolean;
  retainAsPublished: boolean;
  retainHandling: 0 | 1 | 2;
  subscriptionIdentifier: number | null;
  connected: boolean;
}

/** Subscriptions of persistent sessions (the rows the broker writes through), with whether their client is connected. */
export function createSubscriptionRepository(db: PrismaClient) {
  return {
    async list(filter: { topicFilter?: string; clientId?: string }, after: { clientId: string; topicFilter: string } | undefined, limit: number): Promise<SubscriptionRow[]> {
      const rows = await db.$queryRawUnsafe<
        Array<{ client_id: string; topic_filter: string; qos: number; no_local: boolean; retain_as_published: boolean; retain_handling: number; subscription_identifier: number | null; connected: boolean }>
      >(
        `SELECT s.session_client_id AS client_id, s.topic_filter, s.qos, s.no_local, s.retain_as_published, s.retain_handling, s.subscription_identifier,
           EXISTS (SELECT 1 FROM client_presence p WHERE p.client_id = s.session_client_id) AS connected
         FROM subscriptions s
         WHERE ($1::text IS NULL OR s.topic_filter = $1::text) AND ($2::text IS NULL OR s.session_client_id = $2::text)
           AND ($3::text IS NULL OR (s.session_client_id, s.topic_filter) > ($3::text, $4::text))
         ORDER BY s.session_client_id, s.topic_filter LIMIT $5`,
        filter.topicFilter ?? null,
        filter.clientId ?? null,
        after?.clientId ?? null,
        after?.topicFilter ?? null,
        limit,
      );
      return rows.map((r) => ({
        clientId: r.client_id,
        topicFilter: r.topic_filter,
        qos: r.qos as 0 | 1 | 2,
        noLocal: r.no_local,
        retainAsPublished: r.retain_as_published,
        retainHandling: r.retain_handling as 0 | 1 | 2,
        subscriptionIdentifier: r.subscription_identifier,
        connected: r.connected,
      }));
    },
  };
}

export type SubscriptionRepository = ReturnType<typeof createSubscriptionRepository>;
