import type { PrismaClient } from '@repo/db';
import type { BanEntry, BanKind } from './ban-list.js';

const KINDS: readonly string[] = ['client_id', 'username', 'ip'] satisfies BanKind[];

/** The bans not yet expired; rows of an unknown kind are reported and skipped. */
export async function loadBans(db: Pick<PrismaClient, 'ban'>, onInvalid?: (id: string) => void, now: () => number = Date.now): Promise<BanEntry[]> {
  const rows = await db.ban.findMany({ where: { OR: [{ expiresAt: null }, { expiresAt: { gt: new Date(now()) } }] } });
  const entries: BanEntry[] = [];
  for (const row of rows) {
    if (!KINDS.includes(row.kind)) {
      onInvalid?.(row.id);
      continue;
    }
    entries.push({ id: row.id, kind: row.kind as BanKind, value: row.value, reason: row.reason, expiresAt: row.expiresAt });
  }
  return entries;
}
