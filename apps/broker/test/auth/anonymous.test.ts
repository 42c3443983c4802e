import type mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseAccessControl, type DatabaseAccessControl } from '../../src/auth/database-access-control.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMqttUser, startTestDatabase, type TestDatabase } from '../helpers/auth-database.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { closeAllClients, collect, connectClient, waitFor } from '../helpers/clients.js';
import { connackCode } from '../helpers/connack.js';

let database: TestDatabase;
let access: DatabaseAccessControl;
let broker: TestBroker;
const alice = `alice-${process.pid}`;

beforeAll(async () => {
  database = await startTestDatabase();
  await createMqttUser(database.db, { username: alice, groups: ['staff'], credentials: [{ password: 'pw' }] });
  // Loaded at start-up, like a broker restarted after the rules were written.
  await database.db.aclRule.createMany({
    data: [
      { subjectKind: 'everyone', action: 'all', topic: 'public/#', permission: 'allow' },
      { subjectKind: 'user', subject: alice, action: 'all', topic: 'alice/#', permission: 'allow' },
      { subjectKind: 'group', action: 'all', subject: 'staff', topic: 'staff/#', permission: 'allow' },
      { subjectKind: 'everyone', action: 'all', topic: 'home/${username}/#', permission: 'allow' },
    ],
  });
  access = await createDatabaseAccessControl({
    db: database.db,
    databaseUrl: database.databaseUrl,
    config: { allowAnonymous: true, aclDefaultPublish: 'deny', aclDefaultSubscribe: 'deny' },
    log: createLogger('silent'),
  });
  broker = await startTestBroker({ allowAnonymous: true }, { authenticator: access.authenticator, authorizer: access.authorizer });
}, 60000);
afterAll(async () => {
  await broker?.close();
  await access?.stop();
  await database?.stop();
});
afterEach(() => closeAllClients());

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

function pubackCode(client: mqtt.MqttClient, topic: string): Promise<number> {
  return new Promise((resolve, reject) => {
    client.publish(topic, 'x', { qos: 1 }, (error, packet) => {
      if (error && !('code' in error)) return reject(error);
      resolve((error as { code?: number } | undefined)?.code ?? (packet as { reasonCode?: number } | undefined)?.reasonCode ?? 0);
    });
  });
}

describe('anonymous access on, with ACL rules from Postgres', () => {
  it('an anonymous 5.0 client gets the everyone rules only: not a user rule, a group rule or a ${username} grant', async () => {
    const anonymous = await connectClient(broker.url, { protocolVersion: 5 });
    expect(await subscribeCodes(anonymous, ['public/news', 'alice/#', 'staff/#', 'home/+/#', 'home/undefined/#'])).toEqual([1, 0x87, 0x87, 0x87, 0x87]);
    expect([0x00, 0x10]).toContain(await pubackCode(anonymous, 'public/x')); // allowed
    expect(await pubackCode(anonymous, 'alice/x')).toBe(0x87);
    expect(await pubackCode(anonymous, 'staff/x')).toBe(0x87);
  });

  it('an anonymous 3.1.1 client gets 0x80 for filters only users may subscribe to, and its denied publications are not delivered', async () => {
    const owner = await connectClient(broker.url, { protocolVersion: 5, username: alice, password: 'pw' });
    expect(await subscribeCodes(owner, ['alice/#', 'public/#'])).toEqual([1, 1]);
    const received = collect(owner);
    const anonymous = await connectClient(broker.url, { protocolVersion: 4 });
    expect(await subscribeCodes(anonymous, ['public/#', 'alice/#'])).toEqual([1, 0x80]);
    await new Promise<void>((resolve) => anonymous.publish('alice/inbox', 'from anonymous', { qos: 1 }, () => resolve()));
    await new Promise<void>((resolve) => anonymous.publish('public/board', 'hello', { qos: 1 }, () => resolve()));
    await waitFor(() => received.some((p) => p.topic === 'public/board'), 3000, 'public publication');
    expect(received.map((p) => p.topic)).toEqual(['public/board']);
  });

  it('the named user still gets its own rules (so the rules above are in force)', async () => {
    const owner = await connectClient(broker.url, { protocolVersion: 5, username: alice, password: 'pw' });
    expect(await subscribeCodes(owner, ['alice/#', 'staff/#', `home/${alice}/#`, 'public/news'])).toEqual([1, 1, 1, 1]);
  });

  it('a client giving a username is not anonymous: a wrong password is refused with 0x86', async () => {
    expect(await connackCode({ port: broker.port }, { protocolVersion: 5, username: alice, password: 'nope' })).toBe(0x86);
    expect(await connackCode({ port: broker.port }, { protocolVersion: 4, username: alice, password: 'nope' })).toBe(4);
  });
});
