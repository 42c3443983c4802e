import type { PrismaClient } from '@repo/db';

/** Keys whose values never reach the audit log. */
const SECRET_KEYS = new Set(['password', 'passwordHash', 'secret', 'secretHash', 'token', 'tokenHash']);

/** Copies `value` with secret members replaced by "[redacted]" (recursively); dates become ISO strings. */
export function redact(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, member]) => [key, SECRET_KEYS.has(key) ? '[redacted]' : redact(member)]),
    );
  }
  return value;
}

export interface AuditEntry {
  actor: string;
  action: string;
  resourceType: string;
  resourceId?: string | null;
  before?: unknown;
  after?: unknown;
}

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
}

/** The row an entry becomes (secrets redacted); for writers that insert many in their own transaction. */
export function toAuditRow(entry: AuditEntry) {
  return {
    actor: entry.actor,
    action: entry.action,
    resourceType: entry.resourceType,
    resourceId: entry.resourceId ?? null,
    ...(entry.before === undefined ? {} : { before: redact(entry.before) as object }),
    ...(entry.after === undefined ? {} : { after: redact(entry.after) as object }),
  };
}

export function createAuditLog(db: Pick<PrismaClient, 'auditEvent'>): AuditLog {
  return {
    async record(entry) {
      await db.auditEvent.create({ data: toAuditRow(entry) });
    },
  };
}
