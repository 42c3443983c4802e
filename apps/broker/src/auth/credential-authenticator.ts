import type { PrismaClient } from '@repo/db';
import { verifyPassword, type VerificationCache } from '@repo/passwords';
import type { Logger } from '../observability/logger.js';
import { ReasonCode } from '../protocol/reason-codes.js';
import type { Authenticator, AuthResult } from './authenticator.js';
import { authenticateByClientCertificate } from './client-certificate-login.js';
import type { UserLookupCache } from './user-lookup-cache.js';

/** A verification against this hash costs what a real one does, so unknown users take as long as known ones. */
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$a29NE79YVwl8QPz8YOd29Q$P1dK2oPzwPwveLjTrueYpNC3FNOT/Ah51yrLlxyo5MU';

export interface UserWithCredentials {
  enabled: boolean;
  superuser: boolean;
  groups: string[];
  credentials: { id: string; secretHash: string; clientIdPattern: string | null; expiresAt: Date | null; revoked: boolean }[];
}

interface UserCredentialRow {
  enabled: boolean;
  superuser: boolean;
  groups: string[];
  id: string | null;
  secretHash: string | null;
  clientIdPattern: string | null;
  expiresAt: Date | null;
  revoked: boolean | null;
}

/**
 * The user and its credentials in one round trip (a join), not two queries: on a connect storm of
 * cached logins this lookup is most of the cost of a CONNECT.
 */
async function findUser(db: Pick<PrismaClient, '$queryRaw'>, username: string): Promise<UserWithCredentials | null> {
  const rows = await db.$queryRaw<UserCredentialRow[]>`
    SELECT u.enabled, u.superuser, u.groups, c.id, c.secret_hash AS "secretHash", c.client_id_pattern AS "clientIdPattern", c.expires_at AS "expiresAt", c.revoked
    FROM mqtt_users u LEFT JOIN credentials c ON c.user_id = u.id
    WHERE u.username = ${username}
    ORDER BY c.created_at`;
  const first = rows[0];
  if (!first) return null;
  return {
    enabled: first.enabled,
    superuser: first.superuser,
    groups: first.groups,
    credentials: rows.flatMap((r) =>
      r.id === null ? [] : [{ id: r.id, secretHash: r.secretHash!, clientIdPattern: r.clientIdPattern, expiresAt: r.expiresAt === null ? null : new Date(r.expiresAt), revoked: r.revoked === true }],
    ),
  };
}

/** Neither revoked nor expired at `at`. */
function usable(credential: UserWithCredentials['credentials'][number], at: number): boolean {
  return !credential.revoked && (credential.expiresAt === null || credential.expiresAt.getTime() > at);
}

/** Glob with `*` only, anchored: `sensor-*` matches `sensor-42`. */
export function clientIdMatches(pattern: string, clientId: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
  return regex.test(clientId);
}

export interface CredentialAuthenticatorDeps {
  db: Pick<PrismaClient, 'mqttUser' | 'credential' | '$queryRaw' | '$executeRaw'>;
  cache: VerificationCache;
  /** Users read recently; absent: every CONNECT with a username queries the database. */
  users?: UserLookupCache<UserWithCredentials>;
  allowAnonymous: boolean;
  /** A verified client certificate's CN names the MQTT user; no password needed. */
  useCnAsUsername?: boolean;
  log: Logger;
  now?: () => number;
}

/**
 * CONNECT credentials checked against MQTT users and their credentials in Postgres:
 * unknown user or wrong password -> 0x86 (3.1.1: 4); disabled user, expired or revoked
 * credential, client id not allowed by the credential -> 0x87 (3.1.1: 5). argon2id runs on the
 * thread pool; recent successes are served from a keyed cache.
 */
export function createCredentialAuthenticator(deps: CredentialAuthenticatorDeps): Authenticator {
  const now = deps.now ?? Date.now;
  // Last use is recorded for many credentials at once (one UPDATE per batch, not per CONNECT):
  // a connect storm of cached logins would otherwise queue one write per client.
  const used = new Set<string>();
  let usedTimer: NodeJS.Timeout | undefined;
  const flushUsed = (): void => {
    usedTimer = undefined;
    if (used.size === 0) return;
    const ids = [...used];
    used.clear();
    // Raw SQL: no query compilation for a statement that runs several times a second in a storm.
    deps.db.$executeRaw`UPDATE credentials SET last_used_at = ${new Date(now())} WHERE id = ANY(${ids}::text[])`.catch((error: unknown) => {
      deps.log.warn({ err: error }, 'could not record credential use');
    });
  };
  const markUsed = (credentialId: string): void => {
    used.add(credentialId);
    if (used.size >= 500) flushUsed();
    else if (!usedTimer) {
      usedTimer = setTimeout(flushUsed, 200);
      usedTimer.unref();
    }
  };
  const lookUpUser = async (username: string): Promise<UserWithCredentials | null> => {
    const users = deps.users;
    const held = users?.get(username);
    if (held) return held;
    const generation = users?.begin() ?? 0;
    const found = await findUser(deps.db, username);
    if (found && users) users.set(username, found, generation);
    return found;
  };
  const refuse = (reasonCode: number, why: string, username: string | undefined): AuthResult => {
    deps.log.info({ username, reasonCode }, `authentication failed: ${why}`);
    return { ok: false, reasonCode };
  };
  return {
    async authenticate({ clientId, username, password, peerCommonName }) {
      if (deps.useCnAsUsername && peerCommonName !== undefined) return authenticateByClientCertificate(deps.db, { clientId, username, commonName: peerCommonName }, refuse);
      if (username === undefined) {
        if (deps.allowAnonymous) return { ok: true, principal: { clientId, username: undefined, anonymous: true } };
        return refuse(ReasonCode.NotAuthorized, 'anonymous access is off', undefined);
      }
      if (password === undefined) return refuse(ReasonCode.BadUserNameOrPassword, 'no password', username);
      const user = await lookUpUser(username);
      if (!user) {
        await verifyPassword(DUMMY_HASH, password);
        return refuse(ReasonCode.BadUserNameOrPassword, 'unknown user', username);
      }
      // Usable credentials first: most connections match the first one tried.
      const at = now();
      const ordered = user.credentials.length < 2 ? user.credentials : [...user.credentials].sort((a, b) => Number(usable(b, at)) - Number(usable(a, at)));
      for (const credential of ordered) {
        const cached = deps.cache.has(credential.id, credential.secretHash, password);
        if (!cached && !(await verifyPassword(credential.secretHash, password))) continue;
        if (!usable(credential, at)) {
          deps.cache.invalidate(credential.id);
          return refuse(ReasonCode.NotAuthorized, credential.revoked ? 'credential revoked' : 'credential expired', username);
        }
        if (!user.enabled) return refuse(ReasonCode.NotAuthorized, 'user disabled', username);
        if (credential.clientIdPattern !== null && !clientIdMatches(credential.clientIdPattern, clientId)) {
          return refuse(ReasonCode.NotAuthorized, 'client id not allowed by the credential', username);
        }
        if (!cached) deps.cache.remember(credential.id, credential.secretHash, password);
        markUsed(credential.id);
        return { ok: true, principal: { clientId, username, anonymous: false, superuser: user.superuser, groups: user.groups, credentialId: credential.id } };
      }
      return refuse(ReasonCode.BadUserNameOrPassword, 'wrong password', username);
    },
  };
}
