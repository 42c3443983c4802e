import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, VerificationCache } from '@repo/passwords';
import { clientIdMatches, createCredentialAuthenticator } from '../../src/auth/credential-authenticator.js';
import { createLogger } from '../../src/observability/logger.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { closeAllClients, connectClient } from '../helpers/clients.js';
import { createMqttUser, startTestDatabase, type TestDatabase, type TestUserOptions } from '../helpers/auth-database.js';

let database: TestDatabase;
let broker: TestBroker;
let cache: VerificationCache;

beforeAll(async () => {
  database = await startTestDatabase();
  cache = new VerificationCache();
  const authenticator = createCredentialAuthenticator({ db: database.db, cache, allowAnonymous: false, log: createLogger('silent') });
  broker = await startTestBroker({ allowAnonymous: false }, { authenticator });
}, 60000);
afterAll(async () => {
  await broker?.close();
  await database?.stop();
});
afterEach(() => closeAllClients());

const createUser = (options: TestUserOptions): Promise<string> => createMqttUser(database.db, options);

/** The CONNACK code a connection attempt gets: reasonCode (5.0) or returnCode (3.1.1). */
function connackCode(options: mqtt.IClientOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(broker.url, { reconnectPeriod: 0, connectTimeout: 10000, ...options });
    client.once('packetreceive', (packet) => {
      if (packet.cmd !== 'connack') return;
      const p = packet as mqtt.IConnackPacket;
      client.end(true);
      resolve(options.protocolVersion === 5 ? (p.reasonCode ?? 0) : (p.returnCode ?? 0));
    });
    client.on('error', () => {});
    setTimeout(() => reject(new Error('no CONNACK')), 15000).unref();
  });
}

describe('CONNECT against MQTT users and credentials in Postgres', () => {
  for (const protocolVersion of [4, 5] as const) {
    const codes = protocolVersion === 5 ? { ok: 0, bad: 0x86, notAuthorized: 0x87 } : { ok: 0, bad: 4, notAuthorized: 5 };
    describe(`protocol level ${protocolVersion}`, () => {
      it('accepts the right password', async () => {
        const username = await createUser({ credentials: [{ password: 'right' }] });
        expect(await connackCode({ protocolVersion, username, password: 'right' })).toBe(codes.ok);
      });

      it(`refuses a wrong password with ${codes.bad}`, async () => {
        const username = await createUser({ credentials: [{ password: 'right' }] });
        expect(await connackCode({ protocolVersion, username, password: 'wrong' })).toBe(codes.bad);
      });

      it(`refuses an unknown user with ${codes.bad}`, async () => {
        expect(await connackCode({ protocolVersion, username: 'nobody-here', password: 'x' })).toBe(codes.bad);
      });

      it(`refuses a username without password with ${codes.bad}`, async () => {
        const username = await createUser({ credentials: [{ password: 'right' }] });
        expect(await connackCode({ protocolVersion, username })).toBe(codes.bad);
      });

      it(`refuses anonymous clients with ${codes.notAuthorized} when anonymous access is off`, async () => {
        expect(await connackCode({ protocolVersion })).toBe(codes.notAuthorized);
      });

      it(`refuses a disabled user with ${codes.notAuthorized}`, async () => {
        const username = await createUser({ enabled: false, credentials: [{ password: 'right' }] });
        expect(await connackCode({ protocolVersion, username, password: 'right' })).toBe(codes.notAuthorized);
      });

      it(`refuses a revoked credential with ${codes.notAuthorized}`, async () => {
        const username = await createUser({ credentials: [{ password: 'old', revoked: true }] });
        expect(await connackCode({ protocolVersion, username, password: 'old' })).toBe(codes.notAuthorized);
      });

      it(`refuses an expired credential with ${codes.notAuthorized}`, async () => {
        const username = await createUser({ credentials: [{ password: 'old', expiresAt: new Date(Date.now() - 1000) }] });
        expect(await connackCode({ protocolVersion, username, password: 'old' })).toBe(codes.notAuthorized);
      });

      it(`binds a credential to a client id pattern (${codes.notAuthorized} for other ids)`, async () => {
        const username = await createUser({ credentials: [{ password: 'pw', clientIdPattern: 'sensor-*' }] });
        expect(await connackCode({ protocolVersion, username, password: 'pw', clientId: 'sensor-42' })).toBe(codes.ok);
        expect(await connackCode({ protocolVersion, username, password: 'pw', clientId: 'laptop-1' })).toBe(codes.notAuthorized);
      });
    });
  }

  it('several credentials per user: both passwords work during a rotation', async () => {
    const username = await createUser({ credentials: [{ password: 'first' }, { password: 'second' }] });
    expect(await connackCode({ protocolVersion: 5, username, password: 'first' })).toBe(0);
    expect(await connackCode({ protocolVersion: 5, username, password: 'second' })).toBe(0);
  });

  it('records the last use of a credential', async () => {
    const username = await createUser({ credentials: [{ password: 'pw' }] });
    await connectClient(broker.url, { username, password: 'pw' });
    await expect.poll(async () => (await database.db.credential.findFirst({ where: { user: { username } } }))?.lastUsedAt).not.toBeNull();
  });

  it('serves a repeated login from the cache, and a revoked credential is refused despite the cache', async () => {
    const username = await createUser({ credentials: [{ password: 'pw' }] });
    expect(await connackCode({ protocolVersion: 5, username, password: 'pw' })).toBe(0);
    const credential = await database.db.credential.findFirstOrThrow({ where: { user: { username } } });
    expect(cache.has(credential.id, credential.secretHash, 'pw')).toBe(true);
    await database.db.credential.update({ where: { id: credential.id }, data: { revoked: true } });
    expect(await connackCode({ protocolVersion: 5, username, password: 'pw' })).toBe(0x87);
  });

  it('a changed secret invalidates the cached verification of the old one', async () => {
    const username = await createUser({ credentials: [{ password: 'old' }] });
    expect(await connackCode({ protocolVersion: 5, username, password: 'old' })).toBe(0);
    const credential = await database.db.credential.findFirstOrThrow({ where: { user: { username } } });
    await database.db.credential.update({ where: { id: credential.id }, data: { secretHash: await hashPassword('new') } });
    expect(await connackCode({ protocolVersion: 5, username, password: 'old' })).toBe(0x86);
    expect(await connackCode({ protocolVersion: 5, username, password: 'new' })).toBe(0);
  });
});

describe('clientIdMatches', () => {
  it('matches * globs, anchored, with regex characters taken literally', () => {
    expect(clientIdMatches('sensor-*', 'sensor-1')).toBe(true);
    expect(clientIdMatches('sensor-*', 'xsensor-1')).toBe(false);
    expect(clientIdMatches('a.b', 'aXb')).toBe(false);
    expect(clientIdMatches('a.b', 'a.b')).toBe(true);
    expect(clientIdMatches('*', '')).toBe(true);
  });
});
