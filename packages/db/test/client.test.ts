import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDb, migrate, Prisma, type PrismaClient } from '../src/index.js';
import { createScratchDatabase } from './helpers.js';

const adminUrl = inject('adminUrl');

let db: PrismaClient;
beforeAll(async () => {
  const url = await createScratchDatabase(adminUrl, 'client');
  await migrate(url);
  db = createDb(url);
});
afterAll(async () => {
  await db?.$disconnect();
});

describe('createDb()', () => {
  it('round-trips a Session with a binary will payload, JSON properties and a 0xFFFFFFFF expiry', async () => {
    const payload = Uint8Array.from([0x00, 0xff, 0x10, 0x00, 0x80, ...randomBytes(64 * 1024)]);
    const disconnectedAt = new Date('2026-01-02T03:04:05.678Z');
    await db.session.create({
      data: {
        clientId: 'sensor-1',
        protocolVersion: 5,
        expiryInterval: 0xffffffffn,
        username: 'alice',
        disconnectedAt,
        willTopic: 'devices/sensor-1/status',
        willPayload: payload,
        willQos: 1,
        willRetain: true,
        willProperties: { contentType: 'text/plain', userProperties: [['k', 'v']], messageExpiryInterval: 60 },
        willDelayInterval: 30n,
        subscriptions: { create: [{ topicFilter: 'a/+/c', qos: 2, noLocal: true, subscriptionIdentifier: 7 }] },
      },
    });

    const s = await db.session.findUniqueOrThrow({ where: { clientId: 'sensor-1' }, include: { subscriptions: true } });
    expect(s.willPayload).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(s.willPayload!).equals(Buffer.from(payload))).toBe(true);
    expect(s.expiryInterval).toBe(4294967295n);
    expect(s.willDelayInterval).toBe(30n);
    expect(s.disconnectedAt?.toISOString()).toBe(disconnectedAt.toISOString());
    expect(s.willProperties).toEqual({ contentType: 'text/plain', userProperties: [['k', 'v']], messageExpiryInterval: 60 });
    expect(s.subscriptions).toMatchObject([{ topicFilter: 'a/+/c', qos: 2, noLocal: true, retainAsPublished: false, retainHandling: 0, subscriptionIdentifier: 7 }]);

    // An empty will payload stays empty (not null).
    await db.session.update({ where: { clientId: 'sensor-1' }, data: { willPayload: new Uint8Array(0), willProperties: Prisma.DbNull } });
    const s2 = await db.session.findUniqueOrThrow({ where: { clientId: 'sensor-1' } });
    expect(s2.willPayload).toEqual(new Uint8Array(0));
    expect(s2.willProperties).toBeNull();
    expect(s2.updatedAt.getTime()).toBeGreaterThanOrEqual(s.updatedAt.getTime());
  });

  it('queues messages per session in seq order and cascades when the session goes', async () => {
    await db.session.create({ data: { clientId: 'queue-1', protocolVersion: 4, expiryInterval: 7200n } });
    const message = await db.message.create({ data: { topic: 't/1', payload: Buffer.from('hello'), qos: 1 } });
    expect(typeof message.id).toBe('bigint');
    await db.sessionMessage.createMany({
      data: [
        { sessionClientId: 'queue-1', messageId: message.id, qos: 1, subscriptionIds: [3, 4] },
        { sessionClientId: 'queue-1', messageId: message.id, qos: 0 },
      ],
    });
    await db.inboundQos2.create({ data: { sessionClientId: 'queue-1', packetId: 42, messageId: message.id } });
    const queued = await db.sessionMessage.findMany({ where: { sessionClientId: 'queue-1' }, orderBy: { seq: 'asc' }, include: { message: true } });
    expect(queued.map((q) => [q.state, q.qos, q.subscriptionIds])).toEqual([
      ['queued', 1, [3, 4]],
      ['queued', 0, []],
    ]);
    expect(queued[0]!.seq < queued[1]!.seq).toBe(true);
    expect(Buffer.from(queued[0]!.message.payload).toString()).toBe('hello');

    // A message still referenced by a delivery cannot be deleted.
    await expect(db.message.delete({ where: { id: message.id } })).rejects.toThrow();

    await db.session.delete({ where: { clientId: 'queue-1' } });
    expect(await db.sessionMessage.count({ where: { sessionClientId: 'queue-1' } })).toBe(0);
    expect(await db.inboundQos2.count({ where: { sessionClientId: 'queue-1' } })).toBe(0);
    await db.message.delete({ where: { id: message.id } });
  });

  it('stores retained messages and delayed wills', async () => {
    await db.retainedMessage.upsert({
      where: { topic: 'status/x' },
      create: { topic: 'status/x', payload: Buffer.from('on'), qos: 1, publisherClientId: 'c1' },
      update: { payload: Buffer.from('on'), qos: 1, publisherClientId: 'c1' },
    });
    const publishAt = new Date(Date.now() + 30_000);
    await db.delayedWill.create({ data: { clientId: 'c1', topic: 'status/c1', payload: Buffer.from('gone'), qos: 1, publishAt } });
    const due = await db.delayedWill.findMany({ where: { publishAt: { lte: new Date(Date.now() + 60_000) } } });
    expect(due.map((w) => w.clientId)).toEqual(['c1']);
    expect((await db.retainedMessage.findUniqueOrThrow({ where: { topic: 'status/x' } })).publisherUsername).toBeNull();
  });
});
