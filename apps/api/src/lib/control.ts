import type { PrismaClient } from '@repo/db';
import type { ControlChannel } from '@repo/control';

/** Tells the brokers that something changed (Postgres NOTIFY on a @repo/control channel). */
export interface ControlNotifier {
  notify(channel: ControlChannel, payload?: string): Promise<void>;
}

export function createControlNotifier(db: Pick<PrismaClient, '$executeRaw'>): ControlNotifier {
  return {
    async notify(channel, payload = '') {
      await db.$executeRaw`SELECT pg_notify(${channel}, ${payload})`;
    },
  };
}
