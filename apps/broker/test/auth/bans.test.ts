import type mqtt from 'mqtt';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ControlChannel } from '@repo/control';
import { AuthFailureLimiter } from '../../src/auth/auth-failure-limiter.js';
import type { Authenticator } from '../../src/auth/authenticator.js';
import { BanList, parseIpBan, type BanEntry } from '../../src/auth/ban-list.js';
import { createGuardedAuthenticator } from '../../src/auth/guarded-authenticator.js';
import { createDatabaseAccessControl, type DatabaseAccessControl } from '../../src/auth/database-access-control.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMqttUser, startTestDatabase, type TestDatabase } from '../helpers/auth-database.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { waitFor } from '../helpers/clients.js';
import { connackCode, connectFrom, disconnection, type Endpoint } from '../helpers/connack.js';

let database: TestDatabase;
let access: DatabaseAccessControl;
let broker: TestBroker;
const opened: mqtt.MqttClient[] = [];

beforeAll(async () => {
  database = await startTestDatabase();
  access = await createDatabaseAccessControl({
    db: database.db,
    databaseUrl: database.databaseUrl,
    config: { allowAnonymous: false, aclDefaultPublish: 'allow', aclDefaultSubscribe: 'allow', authMaxFailures: 0 },
    log: createLogger('silent'),
  });
  // Dual stack: IPv4 clients arrive as ::ffff:127.0.0.x, IPv6 ones as ::1.
  broker = await startTestBroker({ host: '::', allowAnonymous: false }, { authenticator: access.authenticator, authorizer: access.authorizer });
  await access.listen(() => broker.broker.context.sessions.liveConnections());
}, 60000);
afterAll(async () => {
  await broker?.close();
  await access?.stop();
  await database?.stop();
});
afterEach(async () => {
  for (const client of opened.splice(0)) client.end(true);
  await database.db.ban.deleteMany();
  await notify(ControlChannel.bansChanged);
  await waitFor(() => access.bans.size === 0, 3000, 'bans cleared');
});

async function notify(channel: string): Promise<void> {
  const client = new pg.Client({ connectionString: database.databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_notify($1, $2)', [channel, '']);
  } finally {
    await client.end();
  }
}

type BanRow = { kind: 'client_id' | 'username' | 'ip'; value: string; reason?: string; expiresAt?: Date };

/** Writes bans and tells the brokers, as the API will; waits until `live` bans are in force. */
async function ban(live: number, ...rows: BanRow[]): Promise<void> {
  for (const row of rows) await database.db.ban.create({ data: { ...row, reason: row.reason ?? null, expiresAt: row.expiresAt ?? null } });
  await notify(ControlChannel.bansChanged);
  await waitFor(() => access.bans.size === live, 3000, 'ban reload');
}

const v4: Endpoint = { get port() { return broker.port; } } as Endpoint;
const from = (localAddress: string): Endpoint => ({ port: broker.port, localAddress });
const v6: Endpoint = { get port() { return broker.port; }, host: '::1' } as Endpoint;
const user = (): Promise<string> => createMqttUser(database.db, { credentials: [{ password: 'pw' }] });

async function track(promise: Promise<mqtt.MqttClient>): Promise<mqtt.MqttClient> {
  const client = await promise;
  opened.push(client);
  return client;
}

describe('bans at CONNECT', () => {
  for (const protocolVersion of [4, 5] as const) {
    const banned = protocolVersion === 5 ? 0x8a : 5;
    const bad = protocolVersion === 5 ? 0x86 : 4;
    describe(`protocol level ${protocolVersion}`, () => {
      it(`refuses a banned client id with ${banned}, and only that one`, async () => {
        const username = await user();
        await ban(1, { kind: 'client_id', value: `bad-client-${protocolVersion}`, reason: 'test' });
        expect(await connackCode(v4, { protocolVersion, clientId: `bad-client-${protocolVersion}`, username, password: 'pw' })).toBe(banned);
        expect(await connackCode(v4, { protocolVersion, clientId: `good-client-${protocolVersion}`, username, password: 'pw' })).toBe(0);
      });

      it(`refuses a banned username with ${banned} even with the right password`, async () => {
        const username = await user();
        expect(await connackCode(v4, { protocolVersion, username, password: 'pw' })).toBe(0);
        await ban(1, { kind: 'username', value: username });
        expect(await connackCode(v4, { protocolVersion, username, password: 'pw' })).toBe(banned);
      });

      it(`checks bans before the password: a banned user with a wrong password gets ${banned}, not ${bad}`, async () => {
        const username = await user();
        expect(await connackCode(v4, { protocolVersion, username, password: 'wrong' })).toBe(bad);
        await ban(1, { kind: 'username', value: username });
        expect(await connackCode(v4, { protocolVersion, username, password: 'wrong' })).toBe(banned);
      });

      it(`refuses an address inside a banned IPv4 CIDR block with ${banned}`, async () => {
        const username = await user();
        await ban(1, { kind: 'ip', value: '127.0.0.0/24' });
        expect(await connackCode(from('127.0.0.9'), { protocolVersion, username, password: 'pw' })).toBe(banned);
        expect(await connackCode(from('127.0.1.9'), { protocolVersion, username, password: 'pw' })).toBe(0);
      });

      it(`refuses a banned single IPv4 address with ${banned}`, async () => {
        const username = await user();
        await ban(1, { kind: 'ip', value: '127.0.2.7' });
        expect(await connackCode(from('127.0.2.7'), { protocolVersion, username, password: 'pw' })).toBe(banned);
        expect(await connackCode(from('127.0.2.8'), { protocolVersion, username, password: 'pw' })).toBe(0);
      });

      it(`refuses an address inside a banned IPv6 CIDR block with ${banned}`, async () => {
        const username = await user();
        await ban(1, { kind: 'ip', value: '::/120' });
        expect(await connackCode(v6, { protocolVersion, username, password: 'pw' })).toBe(banned);
        expect(await connackCode(v4, { protocolVersion, username, password: 'pw' })).toBe(0);
      });

      it('ignores an expired ban', async () => {
        const username = await user();
        await ban(1, { kind: 'username', value: username, expiresAt: new Date(Date.now() - 1000) }, { kind: 'client_id', value: 'someone-else' });
        expect(await connackCode(v4, { protocolVersion, username, password: 'pw' })).toBe(0);
      });

      it('accepts the client again once its ban is deleted', async () => {
        const username = await user();
        await ban(1, { kind: 'username', value: username });
        expect(await connackCode(v4, { protocolVersion, username, password: 'pw' })).toBe(banned);
        await database.db.ban.deleteMany({ where: { value: username } });
        await ban(0);
        expect(await connackCode(v4, { protocolVersion, username, password: 'pw' })).toBe(0);
      });
    });
  }

  it('refuses an anonymous client whose client id is banned even if anonymous access were the issue', async () => {
    await ban(1, { kind: 'client_id', value: 'anon-banned' });
    // Anonymous access is off (0x87), but the ban is checked first.
    expect(await connackCode(v4, { protocolVersion: 5, clientId: 'anon-banned' })).toBe(0x8a);
    expect(await connackCode(v4, { protocolVersion: 5, clientId: 'anon-other' })).toBe(0x87);
  });
});

describe('bans added while clients are connected', () => {
  it('disconnects a 5.0 client of a newly banned username with 0x98 and leaves the others connected', async () => {
    const target = await user();
    const other = await user();
    const victim = await track(connectFrom(v4, { protocolVersion: 5, username: target, password: 'pw' }));
    const bystander = await track(connectFrom(v4, { protocolVersion: 5, username: other, password: 'pw' }));
    const gone = disconnection(victim);
    await ban(1, { kind: 'username', value: target });
    expect(await gone).toBe(0x98);
    expect(bystander.connected).toBe(true);
  });

  it('closes a 3.1.1 client of a newly banned client id', async () => {
    const username = await user();
    const victim = await track(connectFrom(v4, { protocolVersion: 4, clientId: 'kick-me-311', username, password: 'pw' }));
    const bystander = await track(connectFrom(v4, { protocolVersion: 4, clientId: 'keep-me-311', username, password: 'pw' }));
    const gone = disconnection(victim);
    await ban(1, { kind: 'client_id', value: 'kick-me-311' });
    expect(await gone).toBeUndefined(); // 3.1.1 has no DISCONNECT from the server: the socket closes
    expect(victim.connected).toBe(false);
    expect(bystander.connected).toBe(true);
  });

  it('disconnects the connections from a newly banned address only', async () => {
    const username = await user();
    const victim = await track(connectFrom(from('127.0.3.1'), { protocolVersion: 5, username, password: 'pw' }));
    const bystander = await track(connectFrom(from('127.0.3.2'), { protocolVersion: 5, username, password: 'pw' }));
    const gone = disconnection(victim);
    await ban(1, { kind: 'ip', value: '127.0.3.1/32' });
    expect(await gone).toBe(0x98);
    expect(bystander.connected).toBe(true);
  });
});

describe('a ban reloaded while a CONNECT is being authenticated', () => {
  it('refuses the CONNECT once the password check finishes', async () => {
    const bans = new BanList();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // A real authenticator that accepts everyone, once the gate opens (the password check in flight).
    const slow: Authenticator = {
      async authenticate({ clientId, username }) {
        await gate;
        return { ok: true, principal: { clientId, username, anonymous: false } };
      },
    };
    const guarded = createGuardedAuthenticator({ inner: slow, bans, limiter: new AuthFailureLimiter({ maxFailures: 0, windowSeconds: 0, lockoutSeconds: 0 }), log: createLogger('silent') });
    const pending = guarded.authenticate({ clientId: 'late', username: 'u', password: Buffer.from('pw'), remoteAddress: '192.0.2.1' });
    const unaffected = guarded.authenticate({ clientId: 'other', username: 'v', password: Buffer.from('pw'), remoteAddress: '192.0.2.2' });
    bans.setBans([{ id: 'b', kind: 'client_id', value: 'late', reason: null, expiresAt: null }]);
    release();
    expect(await pending).toEqual({ ok: false, reasonCode: 0x8a });
    expect((await unaffected).ok).toBe(true);
  });
});

describe('BanList', () => {
  const entry = (kind: BanEntry['kind'], value: string, expiresAt: Date | null = null): BanEntry => ({ id: `${kind}:${value}`, kind, value, reason: null, expiresAt });
  const subject = (remoteAddress: string) => ({ clientId: 'c', username: 'u', remoteAddress });

  it('matches IPv4 and IPv6 addresses and CIDR blocks, IPv4-mapped IPv6 addresses as IPv4', () => {
    const list = new BanList();
    expect(list.setBans([entry('ip', '10.0.0.0/8'), entry('ip', '2001:db8::/32'), entry('ip', '192.168.1.5'), entry('ip', '::ffff:172.16.0.0/108')])).toEqual([]);
    expect(list.find(subject('10.200.3.4'))?.value).toBe('10.0.0.0/8');
    expect(list.find(subject('::ffff:10.1.2.3'))?.value).toBe('10.0.0.0/8');
    expect(list.find(subject('11.0.0.1'))).toBeUndefined();
    expect(list.find(subject('2001:db8:ffff::1'))?.value).toBe('2001:db8::/32');
    expect(list.find(subject('2001:db9::1'))).toBeUndefined();
    expect(list.find(subject('192.168.1.5'))?.value).toBe('192.168.1.5');
    expect(list.find(subject('192.168.1.6'))).toBeUndefined();
    expect(list.find(subject('172.31.255.255'))?.value).toBe('::ffff:172.16.0.0/108');
    expect(list.find(subject('172.32.0.0'))).toBeUndefined();
  });

  it('skips IP bans that are neither an address nor a CIDR block', () => {
    for (const value of ['10.0.0.0/33', '2001:db8::/129', 'example.com', '10.0.0.1/8/8', '10.0.0.0/-1', '10.0.0.0/']) expect(parseIpBan(value), value).toBeNull();
    const list = new BanList();
    const invalid = list.setBans([entry('ip', 'not-an-ip'), entry('ip', '0.0.0.0/0')]);
    expect(invalid.map((e) => e.value)).toEqual(['not-an-ip']);
    expect(list.size).toBe(1);
    expect(list.find(subject('8.8.8.8'))?.value).toBe('0.0.0.0/0');
    expect(list.find(subject('::1'))).toBeUndefined();
  });

  it('ignores a ban from the moment it expires, without a reload', () => {
    let now = 1_000_000;
    const list = new BanList(() => now);
    list.setBans([entry('username', 'u', new Date(now + 500)), entry('client_id', 'c', new Date(now + 1000))]);
    expect(list.find(subject('1.1.1.1'))?.kind).toBe('client_id');
    now += 999;
    expect(list.find(subject('1.1.1.1'))?.kind).toBe('client_id');
    now += 1;
    expect(list.find(subject('1.1.1.1'))).toBeUndefined();
  });
});
