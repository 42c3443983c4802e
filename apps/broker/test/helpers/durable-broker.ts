import type { BrokerConfig } from '../../src/config.js';
import { createPostgresSessionStore, type PostgresSessionStore } from '../../src/persistence/postgres-session-store.js';
import { startTestBroker, type TestBroker } from './broker.js';

export interface DurableTestBroker extends TestBroker {
  store: PostgresSessionStore;
}

/** A test broker whose state lives in the given database (Postgres store, durability sync). */
export async function startDurableBroker(databaseUrl: string, config: Partial<BrokerConfig> = {}): Promise<DurableTestBroker> {
  const store = createPostgresSessionStore({ databaseUrl, batchMs: 2, batchMax: 1000, poolSize: 4 });
  const broker = await startTestBroker(config, { store });
  return {
    ...broker,
    store,
    close: async () => {
      await broker.close();
      await store.close();
    },
  };
}
