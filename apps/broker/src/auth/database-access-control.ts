import type { PrismaClient } from '@repo/db';
import { VerificationCache } from '@repo/passwords';
import type { BrokerConfig } from '../config.js';
import { recheckCredentials } from '../control/commands/recheck-credentials.js';
import { reloadAcl } from '../control/commands/reload-acl.js';
import { reloadBans } from '../control/commands/reload-bans.js';
import { startControlListener, type ControlHandlers, type ControlListener } from '../control/control-listener.js';
import type { Logger } from '../observability/logger.js';
import type { LiveConnection } from '../sessions/session-registry.js';
import { createAclAuthorizer, type AclAuthorizer } from './acl-authorizer.js';
import { loadAclRules } from './acl-rule-store.js';
import { AuthFailureLimiter } from './auth-failure-limiter.js';
import type { Authenticator } from './authenticator.js';
import { BanList } from './ban-list.js';
import { loadBans } from './ban-store.js';
import { createCredentialAuthenticator, type UserWithCredentials } from './credential-authenticator.js';
import { createGuardedAuthenticator } from './guarded-authenticator.js';
import { UserLookupCache } from './user-lookup-cache.js';

export interface DatabaseAccessControl {
  readonly authenticator: Authenticator;
  readonly authorizer: AclAuthorizer;
  readonly cache: VerificationCache;
  readonly users: UserLookupCache<UserWithCredentials>;
  readonly bans: BanList;
  readonly limiter: AuthFailureLimiter;
  /**
   * Starts acting on control notifications for the broker's live connections; `more` handles
   * the channels that are not about access (session policies, traces), and resynchronizes them too.
   */
  listen(connections: () => LiveConnection[], more?: Pick<ControlHandlers, 'policiesChanged' | 'tracesChanged'>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Who may connect and what they may do, from Postgres: credentials checked at CONNECT, ACL rules
 * held in memory and reloaded on NOTIFY, connections of a disabled user or revoked credential
 * disconnected on NOTIFY, bans and brute-force lockouts checked before any password (bans held in
 * memory and reloaded on NOTIFY, banned connections disconnected); see @repo/control for the channels.
 */
export async function createDatabaseAccessControl(deps: {
  db: PrismaClient;
  databaseUrl: string;
  config: Pick<BrokerConfig, 'allowAnonymous' | 'aclDefaultPublish' | 'aclDefaultSubscribe'> &
    Partial<Pick<BrokerConfig, 'tlsUseCnAsUsername' | 'authMaxFailures' | 'authFailureWindowSeconds' | 'authLockoutSeconds' | 'authCacheSeconds'>>;
  log: Logger;
}): Promise<DatabaseAccessControl> {
  const { db, log, config } = deps;
  const cache = new VerificationCache();
  const bans = new BanList();
  bans.setBans(await loadBans(db));
  const limiter = new AuthFailureLimiter({
    maxFailures: config.authMaxFailures ?? 5,
    windowSeconds: config.authFailureWindowSeconds ?? 60,
    lockoutSeconds: config.authLockoutSeconds ?? 300,
  });
  const users = new UserLookupCache<UserWithCredentials>({ ttlMs: (config.authCacheSeconds ?? 60) * 1000, maxEntries: 100_000 });
  const credentials = createCredentialAuthenticator({ db, cache, users, allowAnonymous: config.allowAnonymous, useCnAsUsername: config.tlsUseCnAsUsername ?? false, log });
  const authenticator = createGuardedAuthenticator({ inner: credentials, bans, limiter, log });
  const authorizer = createAclAuthorizer(await loadAclRules(db), { publish: config.aclDefaultPublish, subscribe: config.aclDefaultSubscribe });
  let listener: ControlListener | undefined;
  return {
    authenticator,
    authorizer,
    cache,
    users,
    bans,
    limiter,
    async listen(connections, more = {}) {
      const recheck = (username: string): Promise<number> => recheckCredentials({ db, connections, log, username });
      listener = await startControlListener(
        deps.databaseUrl,
        {
          aclChanged: () => reloadAcl({ db, authorizer, log }),
          bansChanged: async () => {
            await reloadBans({ db, bans, connections, log });
          },
          credentialsChanged: async ({ username }) => {
            users.invalidate(username);
            await recheck(username);
          },
          ...more,
          resynchronize: async () => {
            users.clear();
            await more.policiesChanged?.();
            await more.tracesChanged?.();
            await reloadAcl({ db, authorizer, log });
            await reloadBans({ db, bans, connections, log });
            const usernames = new Set(connections().flatMap((c) => (c.principal?.username ? [c.principal.username] : [])));
            for (const username of usernames) await recheck(username);
          },
        },
        log,
      );
    },
    async stop() {
      await listener?.stop();
    },
  };
}
