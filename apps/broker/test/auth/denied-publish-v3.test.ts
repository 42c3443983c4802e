import type mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseAccessControl, type DatabaseAccessControl } from '../../src/auth/database-access-control.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMqttUser, startTestDatabase, type TestDatabase } from '../helpers/auth-database.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { closeAllClients, connectClient, sleep } from '../helpers/clients.js';
import { disconnection } from '../helpers/connack.js';

let database: TestDatabase;
let access: DatabaseAccessControl;
let strict: TestBroker;
let lenient: TestBroker;
let username: string;

beforeAll(async () => {
  database = await startTestDatabase();
  username = await createMqttUser(database.db, { credentials: [{ password: 'pw' }] });
  await database.db.aclRule.create({ data: { subjectKind: 'everyone', action: 'all', topic: 'open/#', permission: 'allow' } });
  access = await createDatabaseAccessControl({
    db: database.db,
    databaseUrl: database.databaseUrl,
    config: { allowAnonymous: false, aclDefaultPublish: 'deny', aclDefaultSubscribe: 'deny' },
    log: createLogger('silent'),
  });
  const deps = { authenticator: access.authenticator, authorizer: access.authorizer };
  strict = await startTestBroker({ allowAnonymous: false, deniedPublishDisconnectV3: true }, deps);
  lenient = await startTestBroker({ allowAnonymous: false }, deps);
}, 60000);
afterAll(async () => {
  await strict?.close();
  await lenient?.close();
  await access?.stop();
  await database?.stop();
});
afterEach(() => closeAllClients());

/** Publishes QoS 1 and reports the PUBACK reason code, or 'closed' if the connection closes first. */
function publishOutcome(client: mqtt.MqttClient, topic: string, qos: 0 | 1): Promise<number | 'closed' | 'sent'> {
  return new Promise((resolve) => {
    client.once('close', () => resolve('closed'));
    client.publish(topic, 'x', { qos }, (error, packet) => {
      if (qos === 0) return;
      if (error && !('code' in error)) return;
      resolve((error as { code?: number } | undefined)?.code ?? (packet as { reasonCode?: number } | undefined)?.reasonCode ?? 0);
    });
  });
}

describe('MQTT_DENIED_PUBLISH_DISCONNECT_V3', () => {
  for (const qos of [0, 1] as const) {
    it(`when true, a 3.1.1 client whose QoS ${qos} PUBLISH is denied is disconnected (3.1.1 has no negative PUBACK)`, async () => {
      const client = await connectClient(strict.url, { protocolVersion: 4, username, password: 'pw' });
      if (qos === 1) expect(await publishOutcome(client, 'open/allowed', 1)).toBe(0);
      const gone = disconnection(client);
      expect(await publishOutcome(client, 'closed/denied', qos)).toBe('closed');
      expect(await gone).toBeUndefined();
    });
  }

  it('when true, a 5.0 client is not disconnected: it gets PUBACK 0x87', async () => {
    const client = await connectClient(strict.url, { protocolVersion: 5, username, password: 'pw' });
    expect(await publishOutcome(client, 'closed/denied', 1)).toBe(0x87);
    expect(client.connected).toBe(true);
  });

  it('when false (the default), a denied 3.1.1 PUBLISH is acknowledged and dropped; the client stays connected', async () => {
    const client = await connectClient(lenient.url, { protocolVersion: 4, username, password: 'pw' });
    expect(await publishOutcome(client, 'closed/denied', 1)).toBe(0);
    client.publish('closed/denied', 'x', { qos: 0 });
    await sleep(200);
    expect(client.connected).toBe(true);
    expect(await publishOutcome(client, 'open/allowed', 1)).toBe(0);
  });

  it('is read from the environment, false by default', () => {
    expect(loadConfig({}).deniedPublishDisconnectV3).toBe(false);
    expect(loadConfig({ MQTT_DENIED_PUBLISH_DISCONNECT_V3: 'true' }).deniedPublishDisconnectV3).toBe(true);
  });
});
