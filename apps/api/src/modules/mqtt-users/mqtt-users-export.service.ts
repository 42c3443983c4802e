import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { PrismaClient } from '@repo/db';

/** One exported user: no secrets, only how many credentials it has and how many are usable. */
export interface ExportedUser {
  id: string;
  username: string;
  enabled: boolean;
  superuser: boolean;
  groups: string[];
  description: string | null;
  credentials: number;
  activeCredentials: number;
  createdAt: string;
  updatedAt: string;
}

export const EXPORT_COLUMNS = ['id', 'username', 'enabled', 'superuser', 'groups', 'description', 'credentials', 'activeCredentials', 'createdAt', 'updatedAt'] as const;

const PAGE = 1000;

/**
 * Streams every MQTT user, by username, a page at a time (memory stays flat however many there
 * are), as JSON (`{"exportedAt", "items": [...]}`) or CSV (RFC 4180 quoting via csv-stringify,
 * groups as a JSON array, cells that a spreadsheet would run as a formula prefixed with `'`).
 */
export function createMqttUserExportService(deps: { db: PrismaClient; now?: () => Date }) {
  async function* users(): AsyncGenerator<ExportedUser> {
    let after: string | undefined;
    const at = (deps.now ?? (() => new Date()))();
    for (;;) {
      const rows = await deps.db.mqttUser.findMany({
        where: after === undefined ? {} : { username: { gt: after } },
        orderBy: { username: 'asc' },
        take: PAGE,
        select: {
          id: true,
          username: true,
          enabled: true,
          superuser: true,
          groups: true,
          description: true,
          createdAt: true,
          updatedAt: true,
          credentials: { select: { revoked: true, expiresAt: true } },
        },
      });
      for (const row of rows) {
        yield {
          id: row.id,
          username: row.username,
          enabled: row.enabled,
          superuser: row.superuser,
          groups: row.groups,
          description: row.description,
          credentials: row.credentials.length,
          activeCredentials: row.credentials.filter((c) => !c.revoked && (c.expiresAt === null || c.expiresAt > at)).length,
          createdAt: row.createdAt.toISOString(),
          updatedAt: row.updatedAt.toISOString(),
        };
      }
      if (rows.length < PAGE) return;
      after = rows.at(-1)?.username;
    }
  }

  return {
    users,

    json(): Readable {
      const exportedAt = (deps.now ?? (() => new Date()))().toISOString();
      return Readable.from(
        (async function* () {
          yield `{"exportedAt":${JSON.stringify(exportedAt)},"items":[`;
          let first = true;
          for await (const user of users()) {
            yield `${first ? '' : ','}${JSON.stringify(user)}`;
            first = false;
          }
          yield ']}\n';
        })(),
      );
    },

    csv(): Readable {
      const rows = Readable.from(
        (async function* () {
          for await (const user of users()) {
            yield { ...user, groups: JSON.stringify(user.groups), description: user.description ?? '', enabled: String(user.enabled), superuser: String(user.superuser) };
          }
        })(),
      );
      const csv = stringify({ header: true, columns: [...EXPORT_COLUMNS], escape_formulas: true, record_delimiter: '\r\n', quote_record_delimiter: true });
      rows.on('error', (error) => csv.destroy(error));
      return rows.pipe(csv);
    },
  };
}

export type MqttUserExportService = ReturnType<typeof createMqttUserExportService>;
