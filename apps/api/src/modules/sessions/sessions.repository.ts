import type { PrismaClient, SessionExpireJob } from '@repo/db';

/** Offline persistent sessions selected by a bulk expiry: disconnected at or before `cutoff`, optionally by username prefix. */
export interface ExpirySelection {
  cutoff: Date;
  usernamePrefix: string | null;
}

const SELECTED = `s.node_id IS NULL AND s.disconnected_at IS NOT NULL AND s.disconnected_at <= $1::timestamptz
  AND ($2::text IS NULL OR starts_with(s.username, $2::text))
  AND NOT EXISTS (SELECT 1 FROM client_presence p WHERE p.client_id = s.client_id)`;

export function createSessionRepository(db: PrismaClient) {
  return {
    async countSelected(selection: ExpirySelection): Promise<number> {
      const rows = await db.$queryRawUnsafe<Array<{ n: bigint }>>(`SELECT count(*) AS n FROM sessions s WHERE ${SELECTED}`, selection.cutoff.toISOString(), selection.usernamePrefix);
      return Number(rows[0]?.n ?? 0);
    },

    /** The next batch of selected client ids after `afterClientId`, in client id order. */
    async nextSelected(selection: ExpirySelection, afterClientId: string, limit: number): Promise<string[]> {
      const rows = await db.$queryRawUnsafe<Array<{ client_id: string }>>(
        `SELECT s.client_id FROM sessions s WHERE ${SELECTED} AND s.client_id > $3 ORDER BY s.client_id LIMIT $4`,
        selection.cutoff.toISOString(),
        selection.usernamePrefix,
        afterClientId,
        limit,
      );
      return rows.map((r) => r.client_id);
    },

    createJob: (data: { offlineForSeconds: number; usernamePrefix: string | null; total: number; actor: string }): Promise<SessionExpireJob> => db.sessionExpireJob.create({ data }),
    findJob: (id: string): Promise<SessionExpireJob | null> => db.sessionExpireJob.findUnique({ where: { id } }),
    updateJob: (id: string, data: Partial<Pick<SessionExpireJob, 'status' | 'done' | 'total' | 'error' | 'finishedAt'>>): Promise<SessionExpireJob> => db.sessionExpireJob.update({ where: { id }, data }),
  };
}

export type SessionRepository = ReturnType<typeof createSessionRepository>;
