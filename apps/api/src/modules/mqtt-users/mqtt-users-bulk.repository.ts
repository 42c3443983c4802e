import type { MqttUser, PrismaClient } from '@repo/db';
import { toAuditRow, type AuditEntry } from '../../lib/audit.js';

/** Rows per INSERT: well under Postgres' 65535 bind parameters at 6 columns. */
const CHUNK = 1000;

export interface BulkUserRow {
  username: string;
  enabled: boolean;
  superuser: boolean;
  groups: string[];
}

export interface BulkCredentialRow {
  username: string;
  label: string | null;
  secretHash: string;
}

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Bulk writes of MQTT users with one credential each, and the audit rows, in one transaction. */
export function createMqttUserBulkRepository(db: PrismaClient) {
  return {
    /** Which of these usernames exist already. */
    async existingUsernames(usernames: readonly string[]): Promise<Set<string>> {
      const found = new Set<string>();
      for (const part of chunks(usernames, 5000)) {
        for (const row of await db.mqttUser.findMany({ where: { username: { in: part } }, select: { username: true } })) found.add(row.username);
      }
      return found;
    },

    /**
     * Inserts the users that do not exist yet (ON CONFLICT DO NOTHING: a concurrent writer may
     * have taken a name since the check), their credentials and the audit rows, atomically.
     * With `allOrNothing`, a name taken meanwhile rolls everything back and is reported in `taken`.
     */
    async insert(
      users: readonly BulkUserRow[],
      credentials: readonly BulkCredentialRow[],
      audit: (created: ReadonlyMap<string, { user: MqttUser; credentialId: string }>) => AuditEntry[],
      allOrNothing: boolean,
    ): Promise<{ created: Map<string, { user: MqttUser; credentialId: string }>; taken: string[] }> {
      const taken: string[] = [];
      try {
        const created = await db.$transaction(
          async (tx) => {
            const inserted: MqttUser[] = [];
            for (const part of chunks(users)) inserted.push(...(await tx.mqttUser.createManyAndReturn({ data: [...part], skipDuplicates: true })));
            const byName = new Map(inserted.map((user) => [user.username, user]));
            const byId = new Map(inserted.map((user) => [user.id, user]));
            for (const user of users) if (!byName.has(user.username)) taken.push(user.username);
            if (allOrNothing && taken.length > 0) throw new RollBack();
            const result = new Map<string, { user: MqttUser; credentialId: string }>();
            const rows = credentials.flatMap((credential) => {
              const user = byName.get(credential.username);
              return user ? [{ userId: user.id, label: credential.label, secretHash: credential.secretHash }] : [];
            });
            for (const part of chunks(rows)) {
              for (const credential of await tx.credential.createManyAndReturn({ data: part, select: { id: true, userId: true } })) {
                const user = byId.get(credential.userId);
                if (user) result.set(user.username, { user, credentialId: credential.id });
              }
            }
            const auditRows = audit(result).map(toAuditRow);
            for (const part of chunks(auditRows)) await tx.auditEvent.createMany({ data: part });
            return result;
          },
          // Thousands of rows on a loaded machine: well past the 5 s default.
          { timeout: 120_000, maxWait: 30_000 },
        );
        return { created, taken };
      } catch (error) {
        if (error instanceof RollBack) return { created: new Map(), taken };
        throw error;
      }
    },
  };
}

class RollBack extends Error {}

export type MqttUserBulkRepository = ReturnType<typeof createMqttUserBulkRepository>;
