import type { PrismaClient, RetainedMessage } from '@repo/db';

export interface RetainedSummaryRow {
  topic: string;
  qos: number;
  payloadSize: number;
  /** The first bytes of the payload (enough for a preview). */
  head: Uint8Array;
  publisherClientId: string;
  publisherUsername: string | null;
  storedAt: Date;
  expiresAt: Date | null;
}

/** Bytes read for a preview: 120 characters of at most 4 bytes each. */
export const PREVIEW_BYTES = 480;

/** Retained messages as the broker writes them through (retained_messages), unexpired only. */
export function createRetainedMessageRepository(db: PrismaClient) {
  return {
    /** Topics starting with `prefix`, after `afterTopic`, in topic order. */
    async scan(prefix: string, afterTopic: string | null, limit: number): Promise<RetainedSummaryRow[]> {
      const rows = await db.$queryRawUnsafe<
        Array<{ topic: string; qos: number; size: number; head: Uint8Array; publisher_client_id: string; publisher_username: string | null; created_at: Date; expires_at: Date | null }>
      >(
        `SELECT topic, qos, octet_length(payload) AS size, substring(payload FROM 1 FOR ${PREVIEW_BYTES}) AS head, publisher_client_id, publisher_username, created_at, expires_at
         FROM retained_messages
         WHERE starts_with(topic, $1) AND ($2::text IS NULL OR topic > $2::text) AND (expires_at IS NULL OR expires_at > now())
         ORDER BY topic LIMIT $3`,
        prefix,
        afterTopic,
        limit,
      );
      return rows.map((r) => ({
        topic: r.topic,
        qos: r.qos,
        payloadSize: Number(r.size),
        head: r.head,
        publisherClientId: r.publisher_client_id,
        publisherUsername: r.publisher_username,
        storedAt: r.created_at,
        expiresAt: r.expires_at,
      }));
    },

    get: (topic: string): Promise<RetainedMessage | null> => db.retainedMessage.findFirst({ where: { topic, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] } }),
  };
}

export type RetainedMessageRepository = ReturnType<typeof createRetainedMessageRepository>;
