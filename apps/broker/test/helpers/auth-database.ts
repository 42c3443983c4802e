import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDb, migrate, startEmbeddedPostgres, type PrismaClient } from '@repo/db';
import { hashPassword } from '@repo/passwords';

export interface TestDatabase {
  databaseUrl: string;
  db: PrismaClient;
  stop(): Promise<void>;
}

/** A real embedded Postgres in a temp dir, migrated, with a Prisma client. */
export async function startTestDatabase(): Promise<TestDatabase> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'broker-auth-'));
  // As root the server runs as `postgres`, which must be able to traverse the directory.
  await chmod(dir, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: dir, port: 0 });
  await migrate(server.databaseUrl);
  const db = createDb(server.databaseUrl);
  return {
    databaseUrl: server.databaseUrl,
    db,
    async stop() {
      await db.$disconnect();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface TestUserOptions {
  username?: string;
  enabled?: boolean;
  superuser?: boolean;
  groups?: string[];
  credentials: Array<{ password: string; revoked?: boolean; expiresAt?: Date; clientIdPattern?: string }>;
}

let userSeq = 0;

/** Creates an MQTT user with argon2id-hashed credentials; returns its username. */
export async function createMqttUser(db: PrismaClient, options: TestUserOptions): Promise<string> {
  const username = options.username ?? `user-${process.pid}-${++userSeq}`;
  const credentials = await Promise.all(
    options.credentials.map(async (c) => ({
      secretHash: await hashPassword(c.password),
      revoked: c.revoked ?? false,
      expiresAt: c.expiresAt ?? null,
      clientIdPattern: c.clientIdPattern ?? null,
    })),
  );
  await db.mqttUser.create({
    data: { username, enabled: options.enabled ?? true, superuser: options.superuser ?? false, groups: options.groups ?? [], credentials: { create: credentials } },
  });
  return username;
}
