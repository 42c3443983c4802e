import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VerificationCache } from '@repo/passwords';
import { AuthFailureLimiter } from '../../src/auth/auth-failure-limiter.js';
import type { Authenticator } from '../../src/auth/authenticator.js';
import { BanList, lockoutAddressKey } from '../../src/auth/ban-list.js';
import { createCredentialAuthenticator } from '../../src/auth/credential-authenticator.js';
import { createDatabaseAccessControl, type DatabaseAccessControl } from '../../src/auth/database-access-control.js';
import { createGuardedAuthenticator } from '../../src/auth/guarded-authenticator.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMqttUser, startTestDatabase, type TestDatabase } from '../helpers/auth-database.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { sleep } from '../helpers/clients.js';
import { connackCode, type Endpoint } from '../helpers/connack.js';

const SECRET = 'correct-horse-battery-staple';
const WRONG = 'wrong-password-should-never-be-logged';

/** A real pino logger whose lines land in an array. */
function capturingLogger(): { log: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

let database: TestDatabase;
let access: DatabaseAccessControl;
let broker: TestBroker;
let logLines: string[];
let subnet = 10;

beforeAll(async () => {
  database = await startTestDatabase();
  const { log, lines } = capturingLogger();
  logLines = lines;
  access = await createDatabaseAccessControl({
    db: database.db,
    databaseUrl: database.databaseUrl,
    config: { allowAnonymous: false, aclDefaultPublish: 'allow', aclDefaultSubscribe: 'allow', authMaxFailures: 3, authFailureWindowSeconds: 60, authLockoutSeconds: 300 },
    log,
  });
  broker = await startTestBroker({ allowAnonymous: false }, { authenticator: access.authenticator, authorizer: access.authorizer });
}, 60000);
afterAll(async () => {
  await broker?.close();
  await access?.stop();
  await database?.stop();
});

const user = (): Promise<string> => createMqttUser(database.db, { credentials: [{ password: SECRET }] });
/** Fresh source addresses per test (Linux routes all of 127/8 to loopback), so address counters do not leak between tests. */
const addresses = (): ((host: number) => Endpoint) => {
  const net = ++subnet;
  return (host) => ({ port: broker.port, localAddress: `127.0.${net}.${host}` });
};

describe('brute-force protection (3 failures within 60 s lock out for 300 s)', () => {
  for (const protocolVersion of [4, 5] as const) {
    const codes = protocolVersion === 5 ? { banned: 0x8a, bad: 0x86 } : { banned: 5, bad: 4 };
    describe(`protocol level ${protocolVersion}`, () => {
      it(`locks out an address after 3 failures: even the right password then gets ${codes.banned}; other addresses are unaffected`, async () => {
        const at = addresses();
        const victim = await user();
        for (let i = 0; i < 3; i++) {
          const someone = await user(); // a different username each time: only the address accumulates failures
          expect(await connackCode(at(1), { protocolVersion, username: someone, password: WRONG })).toBe(codes.bad);
        }
        expect(await connackCode(at(1), { protocolVersion, username: victim, password: SECRET })).toBe(codes.banned);
        expect(await connackCode(at(1), { protocolVersion, clientId: 'anonymous-from-locked' })).toBe(codes.banned);
        expect(await connackCode(at(2), { protocolVersion, username: victim, password: SECRET })).toBe(0);
      });

      it(`locks out a username after 3 failures from different addresses: the right password then gets ${codes.banned}; other users are unaffected`, async () => {
        const at = addresses();
        const target = await user();
        const other = await user();
        for (let i = 1; i <= 3; i++) expect(await connackCode(at(i), { protocolVersion, username: target, password: WRONG })).toBe(codes.bad);
        expect(await connackCode(at(9), { protocolVersion, username: target, password: SECRET })).toBe(codes.banned);
        expect(await connackCode(at(9), { protocolVersion, username: other, password: SECRET })).toBe(0);
      });

      it('forgets failures after a successful authentication', async () => {
        const at = addresses();
        const username = await user();
        for (let i = 0; i < 2; i++) expect(await connackCode(at(1), { protocolVersion, username, password: WRONG })).toBe(codes.bad);
        expect(await connackCode(at(1), { protocolVersion, username, password: SECRET })).toBe(0);
        for (let i = 0; i < 2; i++) expect(await connackCode(at(1), { protocolVersion, username, password: WRONG })).toBe(codes.bad);
        expect(await connackCode(at(1), { protocolVersion, username, password: SECRET })).toBe(0);
      });
    });
  }

  it('logs the lockout with the address and the username, never a password', async () => {
    const at = addresses();
    const username = await user();
    for (let i = 0; i < 3; i++) await connackCode(at(1), { protocolVersion: 5, username, password: WRONG });
    await connackCode(at(1), { protocolVersion: 5, username, password: SECRET });
    const lockouts = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => String(entry.msg).startsWith('authentication lockout'));
    expect(lockouts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ username, msg: expect.stringContaining('username') }),
        expect.objectContaining({ remote: at(1).localAddress, msg: expect.stringContaining('address') }),
      ]),
    );
    expect(logLines.some((line) => line.includes('locked out after failed authentications'))).toBe(true);
    const all = logLines.join('');
    expect(all).not.toContain(WRONG);
    expect(all).not.toContain(SECRET);
  });
});

describe('lockout without password verification', () => {
  it('does not call the credential check while locked out', async () => {
    const username = await user();
    const credentials = createCredentialAuthenticator({ db: database.db, cache: new VerificationCache(), allowAnonymous: false, log: createLogger('silent') });
    let verifications = 0;
    const counting: Authenticator = {
      authenticate(input) {
        verifications++;
        return credentials.authenticate(input);
      },
    };
    const limiter = new AuthFailureLimiter({ maxFailures: 2, windowSeconds: 60, lockoutSeconds: 300 });
    const guarded = createGuardedAuthenticator({ inner: counting, bans: new BanList(), limiter, log: createLogger('silent') });
    const attempt = (password: string) => guarded.authenticate({ clientId: 'c', username, password: Buffer.from(password), remoteAddress: '::ffff:192.0.2.1' });
    expect(await attempt(WRONG)).toEqual({ ok: false, reasonCode: 0x86 });
    expect(await attempt(WRONG)).toEqual({ ok: false, reasonCode: 0x86 });
    expect(verifications).toBe(2);
    for (let i = 0; i < 5; i++) expect(await attempt(SECRET)).toEqual({ ok: false, reasonCode: 0x8a });
    expect(verifications).toBe(2);
    // The mapped and the plain form of an address are the same address.
    expect((await guarded.authenticate({ clientId: 'c', username: undefined, password: undefined, remoteAddress: '192.0.2.1' })).ok).toBe(false);
    expect(verifications).toBe(2);
  });
});

describe('IPv6 addresses are counted per /64', () => {
  it('maps an address to its counting key: IPv4 as is (also when IPv4-mapped), IPv6 by /64', () => {
    expect(lockoutAddressKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(lockoutAddressKey('10.1.2.3')).toBe('10.1.2.3');
    expect(lockoutAddressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(lockoutAddressKey('2001:DB8:1:2::9')).toBe('2001:db8:1:2::/64');
    expect(lockoutAddressKey('2001:db8::')).toBe('2001:db8:0:0::/64');
    expect(lockoutAddressKey('1:2:3:4:5:6:1.2.3.4')).toBe('1:2:3:4::/64');
    expect(lockoutAddressKey('2001:db8:1:3::9')).not.toBe(lockoutAddressKey('2001:db8:1:2::9'));
    expect(lockoutAddressKey('not an address')).toBe('not an address');
  });

  it('failures from different addresses of one IPv6 /64 lock out the whole /64, not the next one', async () => {
    const limiter = new AuthFailureLimiter({ maxFailures: 3, windowSeconds: 60, lockoutSeconds: 300 });
    const refuseAll: Authenticator = { authenticate: () => ({ ok: false, reasonCode: 0x86 }) };
    const guarded = createGuardedAuthenticator({ inner: refuseAll, bans: new BanList(), limiter, log: createLogger('silent') });
    const from = (remoteAddress: string, username: string) => guarded.authenticate({ clientId: 'c', username, password: Buffer.from(WRONG), remoteAddress });
    for (let i = 1; i <= 3; i++) expect(await from(`2001:db8:aa:bb::${i}`, `user-${i}`)).toEqual({ ok: false, reasonCode: 0x86 });
    expect(await from('2001:db8:aa:bb:ffff::1', 'user-9')).toEqual({ ok: false, reasonCode: 0x8a });
    expect(await from('2001:db8:aa:bc::1', 'user-9')).toEqual({ ok: false, reasonCode: 0x86 });
  });
});

describe('lockout expiry', () => {
  let shortAccess: DatabaseAccessControl;
  let shortBroker: TestBroker;
  beforeAll(async () => {
    shortAccess = await createDatabaseAccessControl({
      db: database.db,
      databaseUrl: database.databaseUrl,
      config: { allowAnonymous: false, aclDefaultPublish: 'allow', aclDefaultSubscribe: 'allow', authMaxFailures: 2, authFailureWindowSeconds: 60, authLockoutSeconds: 1 },
      log: createLogger('silent'),
    });
    shortBroker = await startTestBroker({ allowAnonymous: false }, { authenticator: shortAccess.authenticator, authorizer: shortAccess.authorizer });
  });
  afterAll(async () => {
    await shortBroker?.close();
    await shortAccess?.stop();
  });

  it('accepts the right password again once the lockout has passed', async () => {
    const username = await user();
    const endpoint: Endpoint = { port: shortBroker.port, localAddress: '127.0.200.1' };
    for (let i = 0; i < 2; i++) expect(await connackCode(endpoint, { protocolVersion: 5, username, password: WRONG })).toBe(0x86);
    expect(await connackCode(endpoint, { protocolVersion: 5, username, password: SECRET })).toBe(0x8a);
    await sleep(1100);
    expect(await connackCode(endpoint, { protocolVersion: 5, username, password: SECRET })).toBe(0);
  });
});

describe('AuthFailureLimiter', () => {
  const ip = (value: string) => ({ kind: 'ip' as const, value });

  it('counts failures in a fixed window: failures older than the window do not add up', () => {
    let now = 0;
    const limiter = new AuthFailureLimiter({ maxFailures: 3, windowSeconds: 60, lockoutSeconds: 300 }, () => now);
    limiter.recordFailure([ip('a')]);
    limiter.recordFailure([ip('a')]);
    now += 60_000;
    expect(limiter.recordFailure([ip('a')])).toEqual([]);
    expect(limiter.lockedOut([ip('a')])).toBeUndefined();
    limiter.recordFailure([ip('a')]);
    expect(limiter.recordFailure([ip('a')])).toEqual([ip('a')]);
    expect(limiter.lockedOut([ip('a')])).toEqual(ip('a'));
    now += 300_000 - 1;
    expect(limiter.lockedOut([ip('a')])).toEqual(ip('a'));
    now += 1;
    expect(limiter.lockedOut([ip('a')])).toBeUndefined();
  });

  it('is disabled by 0 for any of its settings', () => {
    for (const limits of [
      { maxFailures: 0, windowSeconds: 60, lockoutSeconds: 300 },
      { maxFailures: 3, windowSeconds: 0, lockoutSeconds: 300 },
      { maxFailures: 3, windowSeconds: 60, lockoutSeconds: 0 },
    ]) {
      const limiter = new AuthFailureLimiter(limits);
      for (let i = 0; i < 10; i++) limiter.recordFailure([ip('a')]);
      expect(limiter.lockedOut([ip('a')]), JSON.stringify(limits)).toBeUndefined();
      expect(limiter.trackedKeys).toBe(0);
    }
  });

  it('keeps at most maxEntries keys, forgetting the least recently failed first', () => {
    const limiter = new AuthFailureLimiter({ maxFailures: 2, windowSeconds: 60, lockoutSeconds: 300, maxEntries: 100 });
    limiter.recordFailure([ip('attacker')]);
    limiter.recordFailure([ip('attacker')]);
    for (let i = 0; i < 10_000; i++) {
      limiter.recordFailure([{ kind: 'username', value: `spray-${i}` }, ip('attacker')]);
      expect(limiter.trackedKeys).toBeLessThanOrEqual(100);
    }
    // The attacker's address is touched by every failure, so it is never the one forgotten.
    expect(limiter.lockedOut([ip('attacker')])).toEqual(ip('attacker'));
    expect(limiter.lockedOut([{ kind: 'username', value: 'spray-0' }])).toBeUndefined();
  });
});

describe('configuration', () => {
  it('reads MQTT_AUTH_MAX_FAILURES, MQTT_AUTH_FAILURE_WINDOW_SECONDS and MQTT_AUTH_LOCKOUT_SECONDS, defaulting to 5, 60 and 300', () => {
    expect(loadConfig({})).toMatchObject({ authMaxFailures: 5, authFailureWindowSeconds: 60, authLockoutSeconds: 300 });
    expect(loadConfig({ MQTT_AUTH_MAX_FAILURES: '0', MQTT_AUTH_FAILURE_WINDOW_SECONDS: '30', MQTT_AUTH_LOCKOUT_SECONDS: '900' })).toMatchObject({
      authMaxFailures: 0,
      authFailureWindowSeconds: 30,
      authLockoutSeconds: 900,
    });
    expect(() => loadConfig({ MQTT_AUTH_MAX_FAILURES: '-1' })).toThrow(/authMaxFailures/);
  });
});
