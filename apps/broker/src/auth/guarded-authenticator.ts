import type { Logger } from '../observability/logger.js';
import { ReasonCode } from '../protocol/reason-codes.js';
import type { AuthFailureLimiter, LockoutKey } from './auth-failure-limiter.js';
import type { Authenticator } from './authenticator.js';
import { lockoutAddressKey, type BanList } from './ban-list.js';

/**
 * Bans and brute-force lockouts checked before the credentials are: a banned client id, username
 * or address, or an address or username locked out after too many failed authentications, gets
 * 0x8A Banned (3.1.1: 5) without any password being verified. Wrong passwords and unknown users
 * (0x86) count as failures, per IPv4 address or IPv6 /64.
 */
export function createGuardedAuthenticator(deps: { inner: Authenticator; bans: BanList; limiter: AuthFailureLimiter; log: Logger }): Authenticator {
  const { inner, bans, limiter, log } = deps;
  return {
    async authenticate(credentials) {
      const { clientId, username, remoteAddress } = credentials;
      const ban = bans.find({ clientId, username, remoteAddress });
      if (ban) {
        log.info({ clientId, username, remote: remoteAddress, banId: ban.id, banKind: ban.kind }, 'connection refused: banned');
        return { ok: false, reasonCode: ReasonCode.Banned };
      }
      // The lockout keys are built only when something has failed recently (most CONNECTs: nothing has).
      const locked = limiter.trackedKeys === 0 ? undefined : limiter.lockedOut(lockoutKeys(remoteAddress, username));
      if (locked) {
        log.info({ clientId, username, remote: remoteAddress, lockout: locked.kind }, 'connection refused: locked out after failed authentications');
        return { ok: false, reasonCode: ReasonCode.Banned };
      }
      const result = await inner.authenticate(credentials);
      if (result.ok) {
        // Bans may have been reloaded while the password was being verified: a reload only
        // disconnects connections already attached, so check again.
        const late = bans.find({ clientId, username, remoteAddress });
        if (late) {
          log.info({ clientId, username, remote: remoteAddress, banId: late.id, banKind: late.kind }, 'connection refused: banned');
          return { ok: false, reasonCode: ReasonCode.Banned };
        }
        if (limiter.trackedKeys !== 0) limiter.recordSuccess(lockoutKeys(remoteAddress, username));
      }
      if (!result.ok && result.reasonCode === ReasonCode.BadUserNameOrPassword) {
        for (const key of limiter.recordFailure(lockoutKeys(remoteAddress, username))) {
          log.warn({ [key.kind === 'ip' ? 'remote' : 'username']: key.value }, `authentication lockout: too many failures for this ${key.kind === 'ip' ? 'address' : 'username'}`);
        }
      }
      return result;
    },
  };
}

/** Failures are counted per address (IPv4, or IPv6 /64) and per username. */
function lockoutKeys(remoteAddress: string, username: string | undefined): LockoutKey[] {
  const keys: LockoutKey[] = [{ kind: 'ip', value: lockoutAddressKey(remoteAddress) }];
  if (username !== undefined) keys.push({ kind: 'username', value: username });
  return keys;
}
