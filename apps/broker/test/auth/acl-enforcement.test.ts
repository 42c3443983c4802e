import mqtt from 'mqtt';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ControlChannel, encodeCredentialsChanged } from '@repo/control';
import { createDatabaseAccessControl, type DatabaseAccessControl } from '../../src/auth/database-access-control.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMqttUser, startTestDatabase, type TestDatabase, type TestUserOptions } from '../helpers/auth-database.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { closeAllClients, collect, connectClient, sleep, waitFor } from '../helpers/clients.js';

let database: TestDatabase;
let access: DatabaseAccessControl;
let broker: TestBroker;

beforeAll(async () => {
  database = await startTestDatabase();
  access = await createDatabaseAccessControl({
    db: database.db,
    databaseUrl: database.databaseUrl,
    config: { allowAnonymous: false, aclDefaultPublish: 'deny', aclDefaultSubscribe: 'deny' },
    log: createLogger('silent'),
  });
  broker = await startTestBroker({ allowAnonymous: false }, { authenticator: access.authenticator, authorizer: access.authorizer });
  await access.listen(() => broker.broker.context.sessions.liveConnections());
}, 60000);
afterAll(async () => {
  await broker?.close();
  await access?.stop();
  await database?.stop();
});
afterEach(() => closeAllClients());

const user = (options: Partial<TestUserOptions> = {}): Promise<string> => createMqttUser(database.db, { credentials: [{ password: 'pw' }], ...options });

async function notify(channel: string, payload?: string): Promise<void> {
  const client = new pg.Client({ connectionString: database.databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_notify($1, $2)', [channel, payload ?? '']);
  } finally {
    await client.end();
  }
}

type Rule = { subjectKind: 'user' | 'group' | 'everyone'; subject?: string; action: 'publish' | 'subscribe' | 'all'; topic: string; permission: 'allow' | 'deny'; priority?: number; qos?: number[]; retain?: boolean };

/** Writes rules and tells the brokers, as the API will; waits until the rules are live. */
async function addRules(...rules: Rule[]): Promise<string[]> {
  const ids: string[] = [];
  for (const rule of rules) {
    const row = await database.db.aclRule.create({ data: { ...rule, subject: rule.subject ?? null, retain: rule.retain ?? null, qos: rule.qos ?? [] } });
    ids.push(row.id);
  }
  const expected = await database.db.aclRule.count();
  await notify(ControlChannel.aclChanged);
  await waitFor(() => access.authorizer.ruleCount === expected, 3000, 'ACL reload');
  return ids;
}

/** SUBACK codes for the filters, in order (MQTT.js rejects on failure codes, so read the packet). */
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

/** PUBACK reason code of a QoS 1 publish (5.0). */
function pubackCode(client: mqtt.MqttClient, topic: string, options: mqtt.IClientPublishOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    client.publish(topic, 'x', { qos: 1, ...options }, (error, packet) => {
      if (error && !('code' in error)) return reject(error);
      resolve((error as { code?: number } | undefined)?.code ?? (packet as { reasonCode?: number } | undefined)?.reasonCode ?? 0);
    });
  });
}

describe('ACL rules from Postgres enforced by the broker', () => {
  it('denies by default: SUBSCRIBE 0x87 (5.0) / 0x80 (3.1.1), PUBLISH QoS 1 PUBACK 0x87 (5.0)', async () => {
    const username = await user();
    const v5 = await connectClient(broker.url, { username, password: 'pw' });
    expect(await subscribeCodes(v5, ['nothing/granted'])).toEqual([0x87]);
    expect(await pubackCode(v5, 'nothing/granted')).toBe(0x87);
    const v3 = await connectClient(broker.url, { username, password: 'pw', protocolVersion: 4 });
    expect(await subscribeCodes(v3, ['nothing/granted'])).toEqual([0x80]);
  });

  it('honours a grant with ${username}, refuses broader or other filters, keeps the rest of the SUBSCRIBE', async () => {
    const username = await user();
    await addRules({ subjectKind: 'user', subject: username, action: 'all', topic: 'devices/${username}/#', permission: 'allow' });
    const client = await connectClient(broker.url, { username, password: 'pw' });
    expect(await subscribeCodes(client, [`devices/${username}/+`, '#', 'devices/+/x', `devices/someone-else/#`])).toEqual([1, 0x87, 0x87, 0x87]);
    // Allowed, and matched by the client's own subscription: PUBACK 0x00.
    expect(await pubackCode(client, `devices/${username}/temp`)).toBe(0);
    expect(await pubackCode(client, `devices/someone-else/temp`)).toBe(0x87);
  });

  it('the first matching rule by priority decides; groups and everyone apply', async () => {
    const username = await user({ groups: ['plant-a'] });
    await addRules(
      { subjectKind: 'group', subject: 'plant-a', action: 'subscribe', topic: 'plant-a/#', permission: 'allow', priority: 20 },
      { subjectKind: 'user', subject: username, action: 'subscribe', topic: 'plant-a/secret/#', permission: 'deny', priority: 10 },
      { subjectKind: 'everyone', action: 'subscribe', topic: 'public/#', permission: 'allow', priority: 30 },
    );
    const client = await connectClient(broker.url, { username, password: 'pw' });
    expect(await subscribeCodes(client, ['plant-a/line/1', 'plant-a/secret/x', 'public/news', 'plant-a/#'])).toEqual([1, 0x87, 1, 0x87]);
  });

  it('QoS and retain constraints restrict a grant', async () => {
    const username = await user();
    await addRules({ subjectKind: 'user', subject: username, action: 'publish', topic: 'limited/#', permission: 'allow', qos: [0, 1], retain: false });
    const client = await connectClient(broker.url, { username, password: 'pw' });
    expect([0x00, 0x10]).toContain(await pubackCode(client, 'limited/a'));
    expect(await pubackCode(client, 'limited/a', { retain: true })).toBe(0x87);
  });

  it('a username containing wildcards cannot widen a ${username} grant', async () => {
    const username = await user({ username: `evil-${process.pid}/#` });
    await addRules({ subjectKind: 'everyone', action: 'subscribe', topic: 'home/${username}/#', permission: 'allow' });
    const client = await connectClient(broker.url, { username, password: 'pw' });
    expect(await subscribeCodes(client, [`home/evil-${process.pid}/#`, 'home/#'])).toEqual([0x87, 0x87]);
  });

  it('superusers pass every check but publishing to $SYS', async () => {
    const username = await user({ superuser: true });
    const client = await connectClient(broker.url, { username, password: 'pw' });
    expect(await subscribeCodes(client, ['anything/#'])).toEqual([1]);
    expect(await pubackCode(client, '$SYS/broker/fake')).toBe(0x87);
  });

  it('a live ACL change applies to the next PUBLISH and to deliveries on existing subscriptions', async () => {
    const username = await user();
    const [grant] = await addRules({ subjectKind: 'user', subject: username, action: 'all', topic: 'live/#', permission: 'allow' });
    const subscriber = await connectClient(broker.url, { username, password: 'pw', clientId: `live-sub-${process.pid}` });
    const received = collect(subscriber);
    expect(await subscribeCodes(subscriber, ['live/#'])).toEqual([1]);
    const publisherName = await user();
    await addRules({ subjectKind: 'user', subject: publisherName, action: 'publish', topic: 'live/#', permission: 'allow' });
    const publisher = await connectClient(broker.url, { username: publisherName, password: 'pw' });
    await publisher.publishAsync('live/1', 'before', { qos: 1 });
    await waitFor(() => received.length === 1, 3000, 'first delivery');

    // The subscriber's grant is removed: its existing subscription stops receiving.
    await database.db.aclRule.delete({ where: { id: grant! } });
    const expected = await database.db.aclRule.count();
    await notify(ControlChannel.aclChanged);
    await waitFor(() => access.authorizer.ruleCount === expected, 3000, 'ACL reload');
    await publisher.publishAsync('live/2', 'after', { qos: 1 });
    await sleep(300);
    expect(received.map((p) => p.payload.toString())).toEqual(['before']);
    // And its own next PUBLISH is refused.
    expect(await pubackCode(subscriber, 'live/3')).toBe(0x87);
  });

  it('revoking a credential disconnects its clients within a second (5.0: DISCONNECT 0x98)', async () => {
    const username = await user();
    const client = await connectClient(broker.url, { username, password: 'pw' });
    let reasonCode: number | undefined;
    client.on('disconnect', (packet) => (reasonCode = packet.reasonCode));
    await database.db.credential.updateMany({ where: { user: { username } }, data: { revoked: true } });
    await notify(ControlChannel.credentialsChanged, encodeCredentialsChanged({ username }));
    await waitFor(() => reasonCode !== undefined, 1500, 'DISCONNECT');
    expect(reasonCode).toBe(0x98);
  });

  it('disabling a user disconnects it; other users stay connected', async () => {
    const username = await user();
    const bystanderName = await user();
    const client = await connectClient(broker.url, { username, password: 'pw', protocolVersion: 4 });
    const bystander = await connectClient(broker.url, { username: bystanderName, password: 'pw' });
    let closed = false;
    client.on('close', () => (closed = true));
    await database.db.mqttUser.update({ where: { username }, data: { enabled: false } });
    await notify(ControlChannel.credentialsChanged, encodeCredentialsChanged({ username }));
    await waitFor(() => closed, 1500, 'close');
    expect(bystander.connected).toBe(true);
  });
});

describe('users read at CONNECT are held for reconnects, and dropped on NOTIFY', () => {
  it('a reconnect is served without the database; after credentialsChanged the revocation applies to the next CONNECT (0x87)', async () => {
    const username = await user();
    const first = await connectClient(broker.url, { username, password: 'pw' });
    await first.endAsync();
    expect(access.users.get(username)).toBeDefined();
    // Changed behind the API's back (no NOTIFY): the held copy still serves the next CONNECT.
    await database.db.credential.updateMany({ where: { user: { username } }, data: { revoked: true } });
    const second = await connectClient(broker.url, { username, password: 'pw' });
    await second.endAsync();
    // The API's NOTIFY drops the held copy: the next CONNECT reads the revocation.
    await notify(ControlChannel.credentialsChanged, encodeCredentialsChanged({ username }));
    await waitFor(() => access.users.get(username) === undefined, 1500, 'invalidation');
    const refused = await new Promise<number | undefined>((resolve) => {
      const client = mqtt.connect(broker.url, { username, password: 'pw', protocolVersion: 5, reconnectPeriod: 0 });
      client.on('error', (error) => {
        resolve((error as { code?: number }).code);
        client.end(true);
      });
      client.on('connect', () => {
        resolve(0);
        client.end(true);
      });
    });
    expect(refused).toBe(0x87);
  });
});

describe('attempts to escape the rules are refused', () => {
  it('$SYS/# needs an explicit grant: a grant on # does not open $SYS', async () => {
    const username = await user();
    await addRules({ subjectKind: 'user', subject: username, action: 'subscribe', topic: '#', permission: 'allow' });
    const client = await connectClient(broker.url, { username, password: 'pw' });
    expect(await subscribeCodes(client, ['anything/at/all', '$SYS/#', '$SYS/broker/uptime'])).toEqual([1, 0x87, 0x87]);
  });

  it('$share/{group}/{filter} is authorized as {filter}: no wider than the grant, denies still apply', async () => {
    const username = await user();
    await addRules(
      { subjectKind: 'user', subject: username, action: 'subscribe', topic: 'jobs/${username}/#', permission: 'allow', priority: 20 },
      { subjectKind: 'user', subject: username, action: 'subscribe', topic: 'jobs/${username}/secret', permission: 'deny', priority: 10 },
    );
    const client = await connectClient(broker.url, { username, password: 'pw' });
    // jobs/<user>/+ could match the denied jobs/<user>/secret: a deny applies when filters overlap.
    expect(await subscribeCodes(client, [`$share/g/jobs/${username}/public/+`, '$share/g/#', `$share/g/jobs/${username}/+`, '$share/g/jobs/+/x'])).toEqual([1, 0x87, 0x87, 0x87]);
  });

  it('eq matches a filter literally: the grant on the literal "a/+" does not allow "a/b" or "a/#"', async () => {
    const username = await user();
    await addRules({ subjectKind: 'user', subject: username, action: 'subscribe', topic: 'eq literal/+', permission: 'allow' });
    const client = await connectClient(broker.url, { username, password: 'pw' });
    expect(await subscribeCodes(client, ['literal/+', 'literal/b', 'literal/#'])).toEqual([1, 0x87, 0x87]);
  });

  it('a client id containing wildcards cannot widen a ${clientid} grant', async () => {
    const username = await user();
    await addRules({ subjectKind: 'user', subject: username, action: 'subscribe', topic: 'clients/${clientid}/#', permission: 'allow' });
    const honest = await connectClient(broker.url, { username, password: 'pw', clientId: `honest-${process.pid}` });
    expect(await subscribeCodes(honest, [`clients/honest-${process.pid}/in`])).toEqual([1]);
    const sneaky = await connectClient(broker.url, { username, password: 'pw', clientId: '+' });
    expect(await subscribeCodes(sneaky, ['clients/+/#', 'clients/#'])).toEqual([0x87, 0x87]);
  });
});
