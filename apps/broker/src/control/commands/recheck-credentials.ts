import type { PrismaClient } from '@repo/db';
import type { Logger } from '../../observability/logger.js';
import { ReasonCode } from '../../protocol/reason-codes.js';
import type { LiveConnection } from '../../sessions/session-registry.js';

/**
 * A user's credentials changed: every connection of that user whose user is now missing or
 * disabled, or whose credential (for a password login) is now missing, revoked or expired, is disconnected
 * (5.0: DISCONNECT 0x98 Administrative action). Returns how many were.
 */
export async function recheckCredentials(deps: {
  db: Pick<PrismaClient, 'mqttUser'>;
  connections: () => LiveConnection[];
  log: Logger;
  now?: () => number;
  username: string;
}): Promise<number> {
  const mine = deps.connections().filter((c) => c.principal && !c.principal.anonymous && c.principal.username === deps.username);
  if (mine.length === 0) return 0;
  const user = await deps.db.mqttUser.findUnique({ where: { username: deps.username }, include: { credentials: true } });
  const now = (deps.now ?? Date.now)();
  let kicked = 0;
  for (const connection of mine) {
    const credential = user?.credentials.find((c) => c.id === connection.principal?.credentialId);
    // A client certificate login depends on the user only (the CA vouches for the certificate).
    const credentialValid = connection.principal?.clientCertificate === true || (credential !== undefined && !credential.revoked && (credential.expiresAt === null || credential.expiresAt.getTime() > now));
    const valid = user !== null && user.enabled && credentialValid;
    if (valid) continue;
    deps.log.info({ clientId: connection.clientId, username: deps.username }, 'disconnecting: credentials no longer valid');
    connection.kick(ReasonCode.AdministrativeAction);
    kicked++;
  }
  return kicked;
}
