import type { PrismaClient } from '@repo/db';
import type { DropPolicy, StoredSessionPolicy } from './session-policy.js';

/** Reads every session policy (the default and the overrides) from Postgres. */
export async function loadSessionPolicies(db: Pick<PrismaClient, 'sessionPolicy'>, onInvalid?: (id: string) => void): Promise<StoredSessionPolicy[]> {
  const rows = await db.sessionPolicy.findMany();
  const policies: StoredSessionPolicy[] = [];
  for (const row of rows) {
    const targetType = row.targetType;
    if (targetType !== 'default' && targetType !== 'user' && targetType !== 'group') {
      onInvalid?.(row.id);
      continue;
    }
    const dropPolicy = row.dropPolicy === 'drop-oldest' || row.dropPolicy === 'drop-new' ? (row.dropPolicy as DropPolicy) : null;
    policies.push({
      targetType,
      targetName: row.targetName,
      sessionExpiryMax: row.sessionExpiryMax === null ? null : Number(row.sessionExpiryMax),
      maxQueued: row.maxQueued,
      queueQos0: row.queueQos0,
      dropPolicy,
      maxInflight: row.maxInflight,
      maxPacketSize: row.maxPacketSize,
      keepAliveMax: row.keepAliveMax,
    });
  }
  return policies;
}
