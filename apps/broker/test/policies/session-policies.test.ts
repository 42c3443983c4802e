import type { IPublishPacket } from 'mqtt';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ControlChannel } from '@repo/control';
import { createDb, type PrismaClient } from '@repo/db';
import { createDatabaseAccessControl, type DatabaseAccessControl } from '../../src/auth/database-access-control.js';
import { reloadPolicies } from '../../src/control/commands/reload-policies.js';
import { createLogger } from '../../src/observability/logger.js';
import { SessionPolicyBook } from '../../src/policies/session-policy-book.js';
import type { SessionPolicyFields } from '../../src/policies/session-policy.js';
import { resolveConfig } from '../../src/config.js';
import { createMqttUser } from '../helpers/auth-database.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { closeAllClients, connectClient, sleep, waitFor } from '../helpers/clients.js';
import { closeLifecycleClients, connectV } from '../helpers/lifecycle.js';
import { createMigratedDatabase } from '../helpers/postgres.js';
import { WirePeer } from '../helpers/wire-peer.js';

const log = createLogger('silent');
const BROKER_MAX_PACKET = 65536;
let databaseUrl: string;
let db: PrismaClient;
let access: DatabaseAccessControl;
let book: SessionPolicyBook;
let broker: TestBroker;
const peers: WirePeer[] = [];

beforeAll(async () => {
  databaseUrl = await createMigratedDatabase('policies');
  db = createDb(databaseUrl);
  access = await createDatabaseAccessControl({ db, databaseUrl, config: { allowAnonymous: false, aclDefaultPublish: 'allow', aclDefaultSubscribe: 'allow' }, log });
  const config = { allowAnonymous: false, maxPacketSize: BROKER_MAX_PACKET, maxQueuedMessages: 1000 };
  book = new SessionPolicyBook(resolveConfig(config));
  broker = await startTestBroker(config, { authenticator: access.authenticator, authorizer: access.authorizer, policies: book });
  await access.listen(() => broker.broker.context.sessions.liveConnections(), {
    policiesChanged: async () => {
      await reloadPolicies({ db, book, apply: () => broker.broker.applyPolicies(), log });
    },
  });
}, 60000);
afterAll(async () => {
  await broker?.close();
  await access?.stop();
  await db?.$disconnect();
});
afterEach(async () => {
  for (const p of peers.splice(0)) p.destroy();
  await closeAllClients();
  await closeLifecycleClients();
  await db.sessionPolicy.deleteMany();
  await notifyPoliciesChanged();
  await waitFor(() => book.size === 0, 5000, 'policies cleared');
});

async function notifyPoliciesChanged(): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_notify($1, $2)', [ControlChannel.policiesChanged, '']);
  } finally {
    await client.end();
  }
}

let version = 0;
/** Writes a policy row as the API does, NOTIFYs, and waits until the broker has reloaded it. */
async function setPolicy(targetType: 'default' | 'user' | 'group', targetName: string, fields: Partial<SessionPolicyFields>): Promise<void> {
  const data = {
    sessionExpiryMax: fields.sessionExpiryMax === undefined || fields.sessionExpiryMax === null ? null : BigInt(fields.sessionExpiryMax),
    maxQueued: fields.maxQueued ?? null,
    queueQos0: fields.queueQos0 ?? null,
    dropPolicy: fields.dropPolicy ?? null,
    maxInflight: fields.maxInflight ?? null,
    maxPacketSize: fields.maxPacketSize ?? null,
    keepAliveMax: fields.keepAliveMax ?? null,
  };
  await db.sessionPolicy.upsert({ where: { targetType_targetName: { targetType, targetName } }, create: { targetType, targetName, ...data }, update: data });
  const expected = await db.sessionPolicy.count();
  const marker = ++version;
  let reloaded = 0;
  const original = book.replace.bind(book);
  book.replace = (policies) => {
    original(policies);
    reloaded = marker;
  };
  try {
    await notifyPoliciesChanged();
    await waitFor(() => reloaded === marker && book.size === expected, 5000, 'policy reload');
  } finally {
    book.replace = original;
  }
}

const user = (groups: string[] = []): Promise<string> => createMqttUser(db, { credentials: [{ password: 'pw' }], groups });
const texts = (packets: IPublishPacket[]): string[] => packets.map((p) => p.payload.toString());

describe('session policies at CONNECT', () => {
  it('[MQTT-3.2.2-21] [MQTT-3.2.2-15] a per-user policy caps a 5.0 client: Session Expiry Interval, Server Keep Alive and Maximum Packet Size in CONNACK', async () => {
    const alice = await user();
    await setPolicy('user', alice, { sessionExpiryMax: 120, keepAliveMax: 30, maxPacketSize: 1024 });
    const capped = await connectV(broker.url, { username: alice, password: 'pw', clientId: `pol-a-${alice}`, keepalive: 300, properties: { sessionExpiryInterval: 3600 } });
    expect(capped.connack.properties).toMatchObject({ sessionExpiryInterval: 120, serverKeepAlive: 30, maximumPacketSize: 1024 });
    expect(broker.broker.context.sessions.get(`pol-a-${alice}`)?.expiryInterval).toBe(120);

    // Another user without an override gets the broker's values: no caps announced.
    const bob = await user();
    const plain = await connectV(broker.url, { username: bob, password: 'pw', clientId: `pol-b-${bob}`, keepalive: 300, properties: { sessionExpiryInterval: 3600 } });
    expect(plain.connack.properties?.sessionExpiryInterval).toBeUndefined();
    expect(plain.connack.properties?.serverKeepAlive).toBeUndefined();
    expect(plain.connack.properties?.maximumPacketSize).toBe(BROKER_MAX_PACKET);
  });

  it('(3.14.2.2.2) a Session Expiry Interval raised in DISCONNECT is still capped by the policy', async () => {
    const dave = await user();
    const clientId = `pol-d-${dave}`;
    await setPolicy('user', dave, { sessionExpiryMax: 120 });
    const c = await connectV(broker.url, { username: dave, password: 'pw', clientId, clean: false, properties: { sessionExpiryInterval: 60 } });
    expect(c.connack.properties?.sessionExpiryInterval).toBeUndefined(); // 60 is below the cap
    await new Promise<void>((resolve) => c.client.end(false, { properties: { sessionExpiryInterval: 3600 } }, () => resolve()));
    await waitFor(() => broker.broker.context.sessions.get(clientId)?.connected === false, 3000, 'offline session');
    expect(broker.broker.context.sessions.get(clientId)?.expiryInterval).toBe(120);
  });

  it('[MQTT-3.2.2-15] a PUBLISH above the policy Maximum Packet Size gets DISCONNECT 0x95 (Packet too large)', async () => {
    const carol = await user();
    await setPolicy('user', carol, { maxPacketSize: 512 });
    const peer = new WirePeer(broker.port, 5);
    peers.push(peer);
    const connack = await peer.connect({ clientId: `pol-c-${carol}`, username: carol, password: Buffer.from('pw') });
    expect(connack.properties?.maximumPacketSize).toBe(512);
    await peer.send({ cmd: 'publish', topic: 'pol/small', payload: Buffer.alloc(100), qos: 1, messageId: 1, retain: false, dup: false });
    expect((await peer.next('puback')).messageId).toBe(1);
    await peer.send({ cmd: 'publish', topic: 'pol/big', payload: Buffer.alloc(600), qos: 1, messageId: 2, retain: false, dup: false });
    expect(await peer.next('disconnect')).toMatchObject({ reasonCode: 0x95 });
    expect(await peer.waitClosed()).toBe(true);
  });

  it('[MQTT-3.2.2-21] a group policy applies to members; a user override beats it; the first group alphabetically wins', async () => {
    await setPolicy('group', 'fleet', { keepAliveMax: 20 });
    await setPolicy('group', 'aaa-first', { keepAliveMax: 10 });
    await setPolicy('default', '*', { keepAliveMax: 50 });
    const member = await user(['fleet']);
    const both = await user(['fleet', 'aaa-first']);
    const overridden = await user(['fleet']);
    await setPolicy('user', overridden, { keepAliveMax: 40 });
    const outsider = await user();
    const serverKeepAlive = async (username: string): Promise<number | undefined> =>
      (await connectV(broker.url, { username, password: 'pw', clientId: `pol-g-${username}`, keepalive: 600 })).connack.properties?.serverKeepAlive;
    expect(await serverKeepAlive(member)).toBe(20);
    expect(await serverKeepAlive(both)).toBe(10);
    expect(await serverKeepAlive(overridden)).toBe(40);
    expect(await serverKeepAlive(outsider)).toBe(50);
  });
});

/** A persistent 5.0 subscriber to `topic` at QoS 1 that then goes offline. */
async function offlineSubscriber(username: string, clientId: string, topic: string): Promise<void> {
  const sub = await connectClient(broker.url, { username, password: 'pw', clientId, clean: false, properties: { sessionExpiryInterval: 3600 } });
  await sub.subscribeAsync(topic, { qos: 1 });
  await new Promise<void>((resolve) => sub.end(false, {}, () => resolve()));
  await waitFor(() => broker.broker.context.sessions.get(clientId)?.connected === false, 3000, 'offline session');
}

async function publishAll(username: string, topic: string, payloads: string[]): Promise<void> {
  const pub = await connectClient(broker.url, { username, password: 'pw', clientId: `pol-pub-${username}` });
  for (const payload of payloads) await pub.publishAsync(topic, payload, { qos: 1 });
}

async function reconnectAndCollect(username: string, clientId: string, expected: number): Promise<string[]> {
  const back = await connectV(broker.url, { username, password: 'pw', clientId, clean: false, properties: { sessionExpiryInterval: 3600 } });
  await waitFor(() => back.received.length >= expected, 5000, `${expected} queued messages`);
  await sleep(200); // nothing beyond the expected ones may follow
  return texts(back.received);
}

describe('session policies: the offline queue', () => {
  for (const [dropPolicy, kept] of [
    ['drop-oldest', ['m3', 'm4', 'm5']],
    ['drop-new', ['m1', 'm2', 'm3']],
  ] as const) {
    it(`maxQueued 3 with ${dropPolicy}: an offline session keeps ${kept.join(', ')} of five messages`, async () => {
      const owner = await user();
      const clientId = `pol-q-${owner}`;
      const topic = `pol/q/${owner}`;
      await setPolicy('user', owner, { maxQueued: 3, dropPolicy });
      await offlineSubscriber(owner, clientId, topic);
      const dropsBefore = broker.broker.context.metrics.droppedByReason['queue-full'];
      await publishAll(owner, topic, ['m1', 'm2', 'm3', 'm4', 'm5']);
      expect(broker.broker.context.sessions.get(clientId)?.queue.length).toBe(3);
      expect(broker.broker.context.metrics.droppedByReason['queue-full'] - dropsBefore).toBe(2);
      expect(await reconnectAndCollect(owner, clientId, 3)).toEqual(kept);
    });
  }

  it('queueQos0 from a policy: QoS 0 messages are queued for an offline session only when the policy says so', async () => {
    const owner = await user();
    const clientId = `pol-q0-${owner}`;
    const topic = `pol/q0/${owner}`;
    await setPolicy('user', owner, { queueQos0: true });
    await offlineSubscriber(owner, clientId, topic);
    const pub = await connectClient(broker.url, { username: owner, password: 'pw', clientId: `pol-q0pub-${owner}` });
    await pub.publishAsync(topic, 'zero', { qos: 0 });
    await waitFor(() => broker.broker.context.sessions.get(clientId)?.queue.length === 1, 3000, 'QoS 0 queued');

    // Without the policy (configuration: queueQos0 false) only the QoS 1 marker is queued.
    const other = await user();
    const otherId = `pol-q0-${other}`;
    const otherTopic = `pol/q0/${other}`;
    await offlineSubscriber(other, otherId, otherTopic);
    await pub.publishAsync(otherTopic, 'zero', { qos: 0 });
    await pub.publishAsync(otherTopic, 'marker', { qos: 1 });
    const queue = broker.broker.context.sessions.get(otherId)?.queue ?? [];
    expect(queue.map((d) => d.message.payload.toString())).toEqual(['marker']);
  });

  it('a live change of maxQueued reaches an existing offline session without a reconnect', async () => {
    const owner = await user();
    const clientId = `pol-live-${owner}`;
    const topic = `pol/live/${owner}`;
    await offlineSubscriber(owner, clientId, topic);
    expect(broker.broker.context.sessions.get(clientId)?.config.maxQueuedMessages).toBe(1000);
    await setPolicy('user', owner, { maxQueued: 2, dropPolicy: 'drop-new' });
    expect(broker.broker.context.sessions.get(clientId)?.config).toMatchObject({ maxQueuedMessages: 2, queueDropPolicy: 'drop-new' });
    await publishAll(owner, topic, ['a', 'b', 'c', 'd']);
    expect(await reconnectAndCollect(owner, clientId, 2)).toEqual(['a', 'b']);
  });

  it('a live change of maxInflight and maxQueued applies to a connected client without a reconnect', async () => {
    const owner = await user();
    const topic = `pol/window/${owner}`;
    await setPolicy('user', owner, { maxInflight: 1 });
    // A raw 5.0 subscriber that never acknowledges: the in-flight window is all that limits sending.
    const sub = new WirePeer(broker.port, 5);
    peers.push(sub);
    await sub.connect({ clientId: `pol-window-${owner}`, username: owner, password: Buffer.from('pw') });
    await sub.subscribe(topic, 1);
    const got = (): string[] => sub.received.flatMap((p) => (p.cmd === 'publish' ? [p.payload.toString()] : []));
    await publishAll(owner, topic, ['w1', 'w2', 'w3']);
    await waitFor(() => got().length === 1, 3000, 'first message');
    await sleep(200);
    expect(got()).toEqual(['w1']); // window of 1: w2 and w3 wait in the queue

    await setPolicy('user', owner, { maxInflight: 1, maxQueued: 2, dropPolicy: 'drop-new' });
    await publishAll(owner, topic, ['w4']); // the queue holds w2 and w3 already: w4 is dropped
    await setPolicy('user', owner, { maxInflight: 10, maxQueued: 2, dropPolicy: 'drop-new' });
    await waitFor(() => got().length === 3, 3000, 'the queued messages, once the window widened');
    await sleep(200);
    expect(got()).toEqual(['w1', 'w2', 'w3']);
  });
});
