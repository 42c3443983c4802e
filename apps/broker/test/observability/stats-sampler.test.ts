import { createDb, type PrismaClient } from '@repo/db';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllClients, connectClient } from '../helpers/clients.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { createMigratedDatabase } from '../helpers/postgres.js';

let broker: TestBroker | undefined;
let db: PrismaClient | undefined;

afterEach(async () => {
  await closeAllClients();
  await broker?.close();
  await db?.$disconnect();
  broker = undefined;
  db = undefined;
});

async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 10000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('stats sampling', () => {
  it('writes samples every STATS_INTERVAL with the current numbers, cumulative counters and rates, and the latest $SYS tree', async () => {
    db = createDb(await createMigratedDatabase('stats'));
    broker = await startTestBroker({ statsInterval: 0.2, sysInterval: 1, nodeId: 'stats-node' }, { statsDb: db });
    const sub = await connectClient(broker.url, { clientId: 'st-sub' });
    await sub.subscribeAsync('st/#', { qos: 1 });
    await sub.subscribeAsync('other/#', { qos: 0 });
    const pub = await connectClient(broker.url, { clientId: 'st-pub' });
    for (let i = 0; i < 5; i++) await pub.publishAsync('st/x', `m${i}`, { qos: 1 });
    await pub.publishAsync('st/retained', 'kept', { qos: 1, retain: true });

    const samples = await poll(
      () => db!.statsSample.findMany({ where: { node: 'stats-node' }, orderBy: { at: 'asc' } }),
      (rows) => rows.length >= 2 && Number(rows.at(-1)!.messagesIn) >= 6,
      'two samples after the traffic',
    );
    const last = samples.at(-1)!;
    expect(last).toMatchObject({ node: 'stats-node', connections: 2, sessions: 2, subscriptions: 2 });
    expect(last.retained).toBeGreaterThanOrEqual(1); // ours, and the $SYS tree's
    expect(Number(last.messagesIn)).toBe(6);
    expect(Number(last.messagesOut)).toBeGreaterThanOrEqual(6);
    expect(Number(last.bytesIn)).toBeGreaterThan(0);
    expect(last.version).toMatch(/^\d+\.\d+\.\d+/);
    // Some sample saw the publications arrive: its rate is positive.
    expect(samples.some((s) => s.messagesInRate > 0)).toBe(true);
    for (let i = 1; i < samples.length; i++) expect(Number(samples[i]!.messagesIn)).toBeGreaterThanOrEqual(Number(samples[i - 1]!.messagesIn));

    const snapshot = await poll(
      () => db!.sysSnapshot.findUnique({ where: { node: 'stats-node' } }),
      // $SYS is published every second: the first tree may predate the clients.
      (row) => (row?.topics as Record<string, string> | undefined)?.['$SYS/broker/clients/connected'] === '2',
      'a $SYS snapshot with both clients',
    );
    const topics = snapshot!.topics as Record<string, string>;
    expect(topics['$SYS/broker/version']).toMatch(/^mqtt-platform broker /);
    expect(topics['$SYS/broker/clients/connected']).toBe('2');
    expect(Object.keys(topics).every((t) => t.startsWith('$SYS/broker/'))).toBe(true);
  });

  it('deletes samples older than STATS_RETENTION_HOURS', async () => {
    db = createDb(await createMigratedDatabase('retention'));
    const old = { node: 'gone', startedAt: new Date(0), version: '0', connections: 0, sessions: 0, subscriptions: 0, retained: 0, queued: 0, inflight: 0, dropped: 0n, messagesIn: 0n, messagesOut: 0n, bytesIn: 0n, bytesOut: 0n, messagesInRate: 0, messagesOutRate: 0 };
    await db.statsSample.create({ data: { ...old, at: new Date(Date.now() - 3 * 3600_000) } });
    await db.statsSample.create({ data: { ...old, node: 'recent', at: new Date(Date.now() - 30 * 60_000) } });
    broker = await startTestBroker({ statsInterval: 0.2, statsRetentionHours: 1, nodeId: 'pruner' }, { statsDb: db });
    const nodes = await poll(
      async () => (await db!.statsSample.findMany({ select: { node: true } })).map((r) => r.node),
      (names) => !names.includes('gone') && names.includes('pruner'),
      'the old sample pruned',
    );
    expect(nodes).toContain('recent');
  });

  it('keeps running when a write fails, and samples again once the database answers', async () => {
    const url = await createMigratedDatabase('stats_fail');
    db = createDb(url);
    // Break the table for a moment: inserts fail, the sampler logs and retries next interval.
    await db.$executeRawUnsafe('ALTER TABLE stats_samples RENAME TO stats_samples_away');
    broker = await startTestBroker({ statsInterval: 0.2, nodeId: 'flaky' }, { statsDb: db });
    await broker.broker.stats!.sample();
    await db.$executeRawUnsafe('ALTER TABLE stats_samples_away RENAME TO stats_samples');
    await poll(() => db!.statsSample.count({ where: { node: 'flaky' } }), (n) => n > 0, 'a sample after recovery');
  });
});
