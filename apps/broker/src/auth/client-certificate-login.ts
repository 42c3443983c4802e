import type { PrismaClient } from '@repo/db';
import { ReasonCode } from '../protocol/reason-codes.js';
import type { AuthResult } from './authenticator.js';

/**
 * Login by client certificate (MQTT_TLS_USE_CN_AS_USERNAME): the TLS handshake has verified the
 * certificate against the configured CA, so its CN is the MQTT username and no password is asked.
 * - a CONNECT User Name other than the CN -> 0x86 Bad User Name or Password (3.1.1: 4);
 * - no MQTT user with that name, or a disabled one -> 0x87 Not authorized (3.1.1: 5): the
 *   certificate proves who the client is, the broker just doesn't let that identity in.
 * The principal's username is the CN, so the user's ACL rules (and groups, superuser) apply.
 */
export async function authenticateByClientCertificate(
  db: Pick<PrismaClient, 'mqttUser'>,
  request: { clientId: string; username: string | undefined; commonName: string },
  refuse: (reasonCode: number, why: string, username: string | undefined) => AuthResult,
): Promise<AuthResult> {
  const { clientId, username, commonName } = request;
  if (username !== undefined && username !== commonName) return refuse(ReasonCode.BadUserNameOrPassword, 'user name differs from the certificate CN', username);
  const user = await db.mqttUser.findUnique({ where: { username: commonName } });
  if (!user) return refuse(ReasonCode.NotAuthorized, 'no MQTT user for the certificate CN', commonName);
  if (!user.enabled) return refuse(ReasonCode.NotAuthorized, 'user disabled', commonName);
  return { ok: true, principal: { clientId, username: commonName, anonymous: false, superuser: user.superuser, groups: user.groups, clientCertificate: true } };
}
