import { createDb, type PrismaClient } from '@repo/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import type { PresenceSource } from '../../src/presence/presence-source.js';
import { PresenceTracker } from '../../src/presence/presence-tracker.js';
import { createMigratedDatabase } from '../helpers/postgres.js';

/** What presence reads from a connection (a Connection provides these). */
function connection(clientId: string): PresenceSource {
  return {
    clientId,
    protocolVersion: 5,
    keepAliveSeconds: 60,
    cleanStart: true,
    messagesIn: 0,
    messagesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    transport: { remoteAddress: '127.0.0.1', remotePort: 40000 },
    session: null,
  } as unknown as PresenceSource;
}

describe('presence tracker writes (Postgres)', () => {
  let db: PrismaClient;
  let statements = 0;
  let tracker: PresenceTracker;

  beforeAll(async () => {
    db = createDb(await createMigratedDatabase('presence'));
    // The real database, with the statements counted.
    const counting = {
      $executeRawUnsafe: (query: string, ...values: unknown[]) => {
        statements++;
        return db.$executeRawUnsafe(query, ...values);
      },
    } as Pick<PrismaClient, '$executeRawUnsafe'>;
    // Flushes only when the test asks (the timer would fire after a minute).
    tracker = new PresenceTracker({ db: counting, nodeId: 'node-p', connections: () => [], log: createLogger('silent'), flushMs: 60_000, refreshMs: 60_000 });
    await tracker.start();
  });
  afterAll(async () => {
    await tracker?.stop();
    await db?.$disconnect();
  });

  const rows = async (): Promise<string[]> => (await db.clientPresence.findMany({ where: { node: 'node-p' }, orderBy: { clientId: 'asc' } })).map((r) => r.clientId);

  it('a client that connects and disconnects between two flushes costs no statement and leaves no row', async () => {
    const shortLived = connection('short-lived');
    tracker.attached(shortLived);
    tracker.detached(shortLived);
    statements = 0;
    await tracker.flush();
    expect(statements).toBe(0);
    expect(await rows()).toEqual([]);
  });

  it('a written row is deleted at disconnection, and a reconnect before the flush keeps it', async () => {
    const stays = connection('stays');
    const leaves = connection('leaves');
    tracker.attached(stays);
    tracker.attached(leaves);
    await tracker.flush();
    expect(await rows()).toEqual(['leaves', 'stays']);
    tracker.detached(leaves);
    tracker.detached(stays);
    tracker.attached(connection('stays')); // back before the next flush
    await tracker.flush();
    expect(await rows()).toEqual(['stays']);
  });
});
