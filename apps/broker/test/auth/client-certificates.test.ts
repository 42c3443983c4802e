import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import mqtt from 'mqtt';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ControlChannel, encodeCredentialsChanged } from '@repo/control';
import { createDatabaseAccessControl, type DatabaseAccessControl } from '../../src/auth/database-access-control.js';
import { loadConfig, resolveConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMqttUser, startTestDatabase, type TestDatabase } from '../helpers/auth-database.js';
import { makeCertificateAuthority, type CertificateAuthority, type KeyAndCertificate } from '../helpers/certificates.js';
import { closeAllClients, connectClient, waitFor } from '../helpers/clients.js';
import { startAllListenersBroker, type AllListenersBroker } from '../helpers/tls-broker.js';

/**
 * Client-certificate login. The TLS listeners ask for a certificate from MQTT_TLS_CA_FILE; with
 * MQTT_TLS_REQUIRE_CLIENT_CERT a client without one (or with one from another CA) fails the
 * handshake; with MQTT_TLS_USE_CN_AS_USERNAME the verified certificate's CN is the MQTT username
 * and no password is needed. Refusals: CONNECT User Name other than the CN -> 0x86 (3.1.1: 4);
 * no MQTT user named by the CN, or a disabled one -> 0x87 (3.1.1: 5), as for a disabled user
 * with a password: the certificate proves who the client is, the broker doesn't let it in.
 */

let database: TestDatabase;
let access: DatabaseAccessControl;
let ca: CertificateAuthority;
let foreignCa: CertificateAuthority;
let required: AllListenersBroker;
let optional: AllListenersBroker;
let unique = 0;

beforeAll(async () => {
  ca = makeCertificateAuthority('Broker Test CA');
  foreignCa = makeCertificateAuthority('Foreign CA');
  database = await startTestDatabase();
  access = await createDatabaseAccessControl({
    db: database.db,
    databaseUrl: database.databaseUrl,
    config: { allowAnonymous: false, aclDefaultPublish: 'deny', aclDefaultSubscribe: 'deny', tlsUseCnAsUsername: true },
    log: createLogger('silent'),
  });
  const server = ca.issueServer();
  const deps = { authenticator: access.authenticator, authorizer: access.authorizer };
  const common = { allowAnonymous: false, tlsCa: ca.cert, tlsUseCnAsUsername: true };
  required = await startAllListenersBroker(server, { ...common, tlsRequireClientCert: true }, deps);
  optional = await startAllListenersBroker(server, { ...common, tlsRequireClientCert: false }, deps);
  await access.listen(() => [...required.broker.context.sessions.liveConnections(), ...optional.broker.context.sessions.liveConnections()]);
}, 60000);
afterAll(async () => {
  await required?.close();
  await optional?.close();
  await access?.stop();
  await database?.stop();
});
afterEach(() => closeAllClients());

const freshName = (what: string): string => `cert-${what}-${process.pid}-${++unique}`;

/** An MQTT user with a password credential; returns its username. */
const user = (options: { username?: string; enabled?: boolean; groups?: string[] } = {}): Promise<string> =>
  createMqttUser(database.db, { username: options.username ?? freshName('user'), enabled: options.enabled ?? true, groups: options.groups ?? [], credentials: [{ password: 'pw' }] });

/** What a connection attempt came to: the CONNACK code, or the connection closing without one. */
interface Attempt {
  connack: number | undefined;
  error: string | undefined;
}

function attempt(url: string, options: mqtt.IClientOptions): Promise<Attempt> {
  return new Promise((resolve) => {
    let error: string | undefined;
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 10000, ca: ca.cert, ...options });
    client.on('error', (e: Error & { code?: string | number }) => (error ??= String(e.code ?? e.message)));
    client.once('packetreceive', (packet) => {
      if (packet.cmd !== 'connack') return;
      const p = packet as mqtt.IConnackPacket;
      client.end(true);
      resolve({ connack: options.protocolVersion === 5 ? (p.reasonCode ?? 0) : (p.returnCode ?? 0), error });
    });
    client.once('close', () => {
      client.end(true);
      resolve({ connack: undefined, error });
    });
  });
}

/** A raw TLS connection that sends a 3.1.1 CONNECT (no user name) once the client side of the handshake is done. */
function rawTlsConnect(port: number, certificate: KeyAndCertificate | undefined): Promise<{ secureConnect: boolean; received: number; error: string | undefined }> {
  return new Promise((resolve) => {
    const result = { secureConnect: false, received: 0, error: undefined as string | undefined };
    const socket = tls.connect({ host: '127.0.0.1', port, ca: ca.cert, ...(certificate ?? {}) });
    socket.on('secureConnect', () => {
      result.secureConnect = true;
      socket.write(Buffer.from([0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3c, 0x00, 0x00]));
    });
    socket.on('data', (bytes) => {
      result.received += bytes.length;
      socket.end();
    });
    socket.on('error', (e: Error & { code?: string }) => (result.error ??= e.code ?? e.message));
    socket.on('close', () => resolve(result));
  });
}

/** Whether a WebSocket over TLS to the wss listener opens. */
function wssOpens(url: string, certificate: KeyAndCertificate | undefined): Promise<{ opened: boolean; error: string | undefined }> {
  return new Promise((resolve) => {
    let error: string | undefined;
    let opened = false;
    const ws = new WebSocket(url, ['mqtt'], { ca: ca.cert, ...(certificate ?? {}) });
    ws.on('open', () => {
      opened = true;
      ws.close();
    });
    ws.on('error', (e: Error & { code?: string }) => (error ??= e.code ?? e.message));
    ws.on('close', () => resolve({ opened, error }));
  });
}

async function notify(channel: string, payload: string): Promise<void> {
  const client = new pg.Client({ connectionString: database.databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_notify($1, $2)', [channel, payload]);
  } finally {
    await client.end();
  }
}

/** SUBACK codes for the filters, in order. */
function subscribeCodes(client: mqtt.MqttClient, filters: string[]): Promise<number[]> {
  return new Promise((resolve) => {
    const onPacket = (packet: mqtt.Packet): void => {
      if (packet.cmd !== 'suback') return;
      client.off('packetreceive', onPacket);
      resolve((packet as unknown as { granted: number[] }).granted.map(Number));
    };
    client.on('packetreceive', onPacket);
    client.subscribe(filters, { qos: 1 }, () => {});
  });
}

describe('client-certificate login (MQTT_TLS_REQUIRE_CLIENT_CERT, MQTT_TLS_USE_CN_AS_USERNAME)', () => {
  for (const transport of ['mqtts', 'wss'] as const) {
    for (const protocolVersion of [4, 5] as const) {
      const codes = protocolVersion === 5 ? { ok: 0, bad: 0x86, notAuthorized: 0x87 } : { ok: 0, bad: 4, notAuthorized: 5 };
      describe(`${transport}, protocol level ${protocolVersion}`, () => {
        it('accepts a certificate whose CN names an enabled MQTT user, with no user name or password', async () => {
          const username = await user();
          expect(await attempt(required.urls[transport], { protocolVersion, ...ca.issueClient(username) })).toEqual({ connack: codes.ok, error: undefined });
        });

        it('accepts a CONNECT User Name equal to the CN, with no password', async () => {
          const username = await user();
          expect((await attempt(required.urls[transport], { protocolVersion, username, ...ca.issueClient(username) })).connack).toBe(codes.ok);
        });

        it(`refuses a CONNECT User Name other than the CN with ${codes.bad}, even with that user's password`, async () => {
          const username = await user();
          const other = await user();
          expect((await attempt(required.urls[transport], { protocolVersion, username: other, password: 'pw', ...ca.issueClient(username) })).connack).toBe(codes.bad);
        });

        it(`refuses a CN that names no MQTT user with ${codes.notAuthorized}`, async () => {
          expect((await attempt(required.urls[transport], { protocolVersion, ...ca.issueClient(freshName('nobody')) })).connack).toBe(codes.notAuthorized);
        });

        it(`refuses the CN of a disabled user with ${codes.notAuthorized}`, async () => {
          const username = await user({ enabled: false });
          expect((await attempt(required.urls[transport], { protocolVersion, ...ca.issueClient(username) })).connack).toBe(codes.notAuthorized);
        });
      });
    }
  }

  it('fails the TLS handshake (mqtts) without a client certificate: alert certificate required, no CONNACK', async () => {
    const raw = await rawTlsConnect(required.addresses.mqtts, undefined);
    expect(raw.error).toBe('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
    expect(raw.received).toBe(0);
    const viaMqttJs = await attempt(required.urls.mqtts, { protocolVersion: 5, username: await user(), password: 'pw' });
    expect(viaMqttJs.connack).toBeUndefined();
  });

  it('fails the TLS handshake (mqtts) with a certificate from another CA: closed before any CONNACK', async () => {
    const username = await user();
    const raw = await rawTlsConnect(required.addresses.mqtts, foreignCa.issueClient(username));
    expect(raw.received).toBe(0);
    // The same CONNECT with a certificate from the configured CA gets CONNACK 0x87 (no user name, anonymous off).
    expect((await rawTlsConnect(required.addresses.mqtts, ca.issueClient(freshName('nobody')))).received).toBe(4);
    expect((await attempt(required.urls.mqtts, { protocolVersion: 5, ...foreignCa.issueClient(username) })).connack).toBeUndefined();
  });

  it('fails the TLS handshake (wss) without a certificate or with one from another CA: the WebSocket never opens', async () => {
    const username = await user();
    const none = await wssOpens(required.urls.wss, undefined);
    expect(none).toEqual({ opened: false, error: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' });
    expect((await wssOpens(required.urls.wss, foreignCa.issueClient(username))).opened).toBe(false);
    expect((await wssOpens(required.urls.wss, ca.issueClient(username))).opened).toBe(true);
    expect((await attempt(required.urls.wss, { protocolVersion: 5, ...foreignCa.issueClient(username) })).connack).toBeUndefined();
  });

  it('the ACL rules of the user named by the CN apply (its ${username} and groups)', async () => {
    const username = await user({ groups: [`${freshName('group')}`] });
    const [group] = (await database.db.mqttUser.findUniqueOrThrow({ where: { username } })).groups;
    await database.db.aclRule.createMany({
      data: [
        { subjectKind: 'user', subject: username, action: 'subscribe', topic: 'devices/${username}/#', permission: 'allow', qos: [] },
        { subjectKind: 'group', subject: group ?? null, action: 'subscribe', topic: 'group-area/#', permission: 'allow', qos: [] },
      ],
    });
    const expected = await database.db.aclRule.count();
    await notify(ControlChannel.aclChanged, '');
    await waitFor(() => access.authorizer.ruleCount === expected, 3000, 'ACL reload');
    const client = await connectClient(required.urls.mqtts, { ca: ca.cert, ...ca.issueClient(username) });
    expect(await subscribeCodes(client, [`devices/${username}/+`, 'devices/someone-else/#', 'group-area/x', 'elsewhere'])).toEqual([1, 0x87, 1, 0x87]);
  });

  it('the CN is no credential over plain TCP: user name without password -> 0x86; the password still works', async () => {
    const username = await user();
    expect((await attempt(required.urls.mqtt, { protocolVersion: 5, username })).connack).toBe(0x86);
    expect((await attempt(required.urls.mqtt, { protocolVersion: 5, username, password: 'pw' })).connack).toBe(0);
  });

  it('a certificate login survives a revoked password credential; disabling the user disconnects it (5.0: DISCONNECT 0x98)', async () => {
    const username = await user();
    const byCertificate = await connectClient(required.urls.mqtts, { ca: ca.cert, clientId: freshName('by-cert'), ...ca.issueClient(username) });
    const byPassword = await connectClient(required.urls.mqtt, { clientId: freshName('by-password'), username, password: 'pw' });
    const codes: Record<string, number | undefined> = {};
    byCertificate.on('disconnect', (packet) => (codes.certificate = packet.reasonCode));
    byPassword.on('disconnect', (packet) => (codes.password = packet.reasonCode));

    await database.db.credential.updateMany({ where: { user: { username } }, data: { revoked: true } });
    await notify(ControlChannel.credentialsChanged, encodeCredentialsChanged({ username }));
    await waitFor(() => codes.password !== undefined, 3000, 'password client disconnected');
    expect(codes.password).toBe(0x98);
    // Both connections were rechecked in the same pass.
    expect(byCertificate.connected).toBe(true);
    expect(codes.certificate).toBeUndefined();

    await database.db.mqttUser.update({ where: { username }, data: { enabled: false } });
    await notify(ControlChannel.credentialsChanged, encodeCredentialsChanged({ username }));
    await waitFor(() => codes.certificate !== undefined, 3000, 'certificate client disconnected');
    expect(codes.certificate).toBe(0x98);
  });
});

describe('client certificates asked for but not required', () => {
  it('a client without a certificate logs in with its password over mqtts and wss', async () => {
    const username = await user();
    expect((await attempt(optional.urls.mqtts, { protocolVersion: 5, username, password: 'pw' })).connack).toBe(0);
    expect((await attempt(optional.urls.wss, { protocolVersion: 5, username, password: 'pw' })).connack).toBe(0);
    expect((await attempt(optional.urls.mqtts, { protocolVersion: 5, username, password: 'wrong' })).connack).toBe(0x86);
  });

  it('a certificate from the CA logs in by its CN', async () => {
    const username = await user();
    expect((await attempt(optional.urls.mqtts, { protocolVersion: 5, ...ca.issueClient(username) })).connack).toBe(0);
  });

  it('the CN of a certificate from another CA is not trusted: user name without password -> 0x86, none -> 0x87', async () => {
    const username = await user();
    const foreign = foreignCa.issueClient(username);
    expect((await attempt(optional.urls.mqtts, { protocolVersion: 5, username, ...foreign })).connack).toBe(0x86);
    expect((await attempt(optional.urls.mqtts, { protocolVersion: 5, ...foreign })).connack).toBe(0x87);
  });
});

describe('client-certificate configuration', () => {
  it('requiring client certificates or CN login without a CA is a configuration error', () => {
    expect(() => resolveConfig({ tlsRequireClientCert: true })).toThrow(/tlsCa/);
    expect(() => resolveConfig({ tlsUseCnAsUsername: true })).toThrow(/tlsCa/);
    expect(resolveConfig({}).tlsRequireClientCert).toBe(false);
  });

  it('reads MQTT_TLS_CA_FILE, MQTT_TLS_REQUIRE_CLIENT_CERT and MQTT_TLS_USE_CN_AS_USERNAME', () => {
    const dir = mkdtempSync(join(tmpdir(), 'broker-ca-env-'));
    try {
      writeFileSync(join(dir, 'ca.pem'), ca.cert);
      const config = loadConfig({ MQTT_TLS_CA_FILE: join(dir, 'ca.pem'), MQTT_TLS_REQUIRE_CLIENT_CERT: 'true', MQTT_TLS_USE_CN_AS_USERNAME: 'true' });
      expect(config).toMatchObject({ tlsCa: ca.cert, tlsRequireClientCert: true, tlsUseCnAsUsername: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
