import type { PrismaClient } from '@repo/db';
import type { BanList } from '../../auth/ban-list.js';
import { loadBans } from '../../auth/ban-store.js';
import type { Logger } from '../../observability/logger.js';
import { ReasonCode } from '../../protocol/reason-codes.js';
import type { LiveConnection } from '../../sessions/session-registry.js';

/**
 * Bans changed: load them, swap them in, and disconnect every live connection now banned
 * (5.0: DISCONNECT 0x98 Administrative action). Returns how many were.
 */
export async function reloadBans(deps: { db: Pick<PrismaClient, 'ban'>; bans: BanList; connections: () => LiveConnection[]; log: Logger }): Promise<number> {
  const entries = await loadBans(deps.db, (id) => deps.log.warn({ banId: id }, 'skipping a ban of unknown kind'));
  for (const invalid of deps.bans.setBans(entries)) deps.log.warn({ banId: invalid.id }, 'skipping an IP ban that is not an address or CIDR block');
  deps.log.info({ bans: deps.bans.size }, 'bans reloaded');
  let kicked = 0;
  for (const connection of deps.connections()) {
    const ban = deps.bans.find({ clientId: connection.clientId, username: connection.principal?.username, remoteAddress: connection.remoteAddress });
    if (!ban) continue;
    deps.log.info({ clientId: connection.clientId, banId: ban.id, banKind: ban.kind }, 'disconnecting: banned');
    connection.kick(ReasonCode.AdministrativeAction);
    kicked++;
  }
  return kicked;
}
