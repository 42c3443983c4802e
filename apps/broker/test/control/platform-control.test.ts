import { randomUUID } from 'node:crypto';
import { ControlChannel, decodeCommandReply, encodeCommandNotice, type BrokerCommandKind, type CommandReply } from '@repo/control';
import { createDb, type PrismaClient } from '@repo/db';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPlatformControl, type PlatformControl } from '../../src/control/platform-control.js';
import { closeAllClients, collect, connectClient, waitFor } from '../helpers/clients.js';
import { startDurableBroker, type DurableTestBroker } from '../helpers/durable-broker.js';
import { createMigratedDatabase } from '../helpers/postgres.js';

describe('presence and broker commands (Postgres)', () => {
  let databaseUrl: string;
  let db: PrismaClient;
  let broker: DurableTestBroker;
  let control: PlatformControl;
  let replies: pg.Client;
  const received: CommandReply[] = [];

  beforeAll(async () => {
    databaseUrl = await createMigratedDatabase('platform');
    db = createDb(databaseUrl);
    // A row of this node left by a crash: removed when presence starts.
    await db.clientPresence.create({ data: { clientId: 'ghost', node: 'node-1', protocolVersion: 5, keepAlive: 0, cleanStart: true, sessionExpiryInterval: 0n, connectedAt: new Date() } });
    await db.clientPresence.create({ data: { clientId: 'elsewhere', node: 'node-2', protocolVersion: 5, keepAlive: 0, cleanStart: true, sessionExpiryInterval: 0n, connectedAt: new Date() } });
    broker = await startDurableBroker(databaseUrl);
    control = await startPlatformControl({ db, databaseUrl, context: broker.broker.context, presenceFlushMs: 20, presenceRefreshMs: 100 });
    replies = new pg.Client({ connectionString: databaseUrl });
    await replies.connect();
    replies.on('notification', (message) => {
      const reply = decodeCommandReply(message.payload);
      if (reply) received.push(reply);
    });
    await replies.query(`LISTEN ${ControlChannel.commandReply}`);
  });
  afterEach(closeAllClients);
  afterAll(async () => {
    await replies?.end();
    await control?.stop();
    await broker?.close();
    await db?.$disconnect();
  });

  async function command(kind: BrokerCommandKind, args: object, node: string | null = 'node-1'): Promise<CommandReply> {
    const id = randomUUID();
    await db.brokerCommand.create({ data: { id, kind, args, targetNode: node } });
    await db.$executeRaw`SELECT pg_notify(${ControlChannel.command}, ${encodeCommandNotice({ id, kind, node })})`;
    let reply: CommandReply | undefined;
    await waitFor(() => (reply = received.find((r) => r.id === id)) !== undefined, 10_000, `reply to ${kind}`);
    return reply!;
  }

  it('removes its own rows left by a crash at start, not those of other nodes', async () => {
    expect(await db.clientPresence.findUnique({ where: { clientId: 'ghost' } })).toBeNull();
    expect(await db.clientPresence.findUnique({ where: { clientId: 'elsewhere' } })).not.toBeNull();
  });

  it('writes a presence row after CONNACK, refreshes its counters and removes it at disconnection', async () => {
    const client = await connectClient(broker.url, { clientId: 'present-1', keepalive: 42, clean: false, properties: { sessionExpiryInterval: 300 } });
    let row = await pollRow(db, 'present-1', () => true);
    expect(row).toMatchObject({ node: 'node-1', protocolVersion: 5, keepAlive: 42, cleanStart: false, sessionExpiryInterval: 300n, ip: '127.0.0.1' });
    expect(row.port).toBeGreaterThan(0);
    await client.subscribeAsync('presence/#', { qos: 1 });
    await client.publishAsync('presence/a', 'hello', { qos: 1 });
    row = await pollRow(db, 'present-1', (r) => r.subscriptions === 1 && r.messagesIn >= 1n && r.messagesOut >= 1n);
    expect(row.bytesIn).toBeGreaterThan(0n);
    await client.endAsync();
    await waitForAsync(async () => (await db.clientPresence.findUnique({ where: { clientId: 'present-1' } })) === null, 'row removed');
  });

  it('kick: DISCONNECT 0x98 (5.0), session discarded and will suppressed as asked; replies with the outcome', async () => {
    const watcher = await connectClient(broker.url, { clientId: 'kick-watcher' });
    const wills = collect(watcher);
    await watcher.subscribeAsync('wills/#');
    const client = await connectClient(broker.url, { clientId: 'kick-me', clean: false, properties: { sessionExpiryInterval: 300 }, will: { topic: 'wills/kick-me', payload: Buffer.from('gone'), qos: 0, retain: false } });
    await waitForAsync(async () => (await db.session.findUnique({ where: { clientId: 'kick-me' } })) !== null, 'session row');
    const disconnected = new Promise<number | undefined>((resolve) => client.once('disconnect', (packet) => resolve(packet.reasonCode)));
    const reply = await command('kick', { clientId: 'kick-me', session: 'discard', will: 'suppress' });
    expect(reply).toMatchObject({ ok: true, node: 'node-1', result: { kicked: true, sessionDiscarded: true, willPublished: false } });
    expect(await disconnected).toBe(0x98);
    expect(await db.session.findUnique({ where: { clientId: 'kick-me' } })).toBeNull();
    expect(wills).toHaveLength(0);
    expect((await db.brokerCommand.findFirst({ where: { kind: 'kick' } }))?.status).toBe('done');
  });

  it('kick of a client that is not connected answers not_connected; a command for another node is ignored', async () => {
    expect(await command('kick', { clientId: 'nobody', session: 'keep', will: 'send' })).toMatchObject({ ok: false, error: { code: 'not_connected' } });
    const id = randomUUID();
    await db.brokerCommand.create({ data: { id, kind: 'publish', args: { topic: 'x', payloadBase64: '', qos: 0, retain: false }, targetNode: 'node-9' } });
    await db.$executeRaw`SELECT pg_notify(${ControlChannel.command}, ${encodeCommandNotice({ id, kind: 'publish', node: 'node-9' })})`;
    expect(await command('kick', { clientId: 'nobody', session: 'bad', will: 'send' })).toMatchObject({ ok: false, error: { code: 'invalid_command' } });
    expect(received.find((r) => r.id === id)).toBeUndefined();
  });

  it('publish and delete-retained act on memory and store', async () => {
    const subscriber = await connectClient(broker.url, { clientId: 'pub-sub' });
    const got = collect(subscriber);
    await subscriber.subscribeAsync('platform/#', { qos: 1 });
    const reply = await command('publish', { topic: 'platform/r', payloadBase64: Buffer.from('kept').toString('base64'), qos: 1, retain: true, userProperties: [['k', 'v']] }, null);
    expect(reply).toMatchObject({ ok: true, result: { matched: 1 } });
    await waitFor(() => got.length === 1, 5000, 'delivery');
    expect(got[0]!.payload.toString()).toBe('kept');
    expect(await db.retainedMessage.count({ where: { topic: 'platform/r' } })).toBe(1);
    expect(await command('delete-retained', { filter: 'platform/+' }, null)).toMatchObject({ ok: true, result: { deleted: 1 } });
    expect(broker.broker.context.retained.get('platform/r')).toBeUndefined();
    expect(await db.retainedMessage.count({ where: { topic: 'platform/r' } })).toBe(0);
  });
});

async function waitForAsync(predicate: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function pollRow(db: PrismaClient, clientId: string, accept: (row: NonNullable<Awaited<ReturnType<PrismaClient['clientPresence']['findUnique']>>>) => boolean) {
  let found: Awaited<ReturnType<PrismaClient['clientPresence']['findUnique']>> = null;
  await waitForAsync(async () => {
    found = await db.clientPresence.findUnique({ where: { clientId } });
    return found !== null && accept(found);
  }, `presence row of ${clientId}`);
  return found!;
}
