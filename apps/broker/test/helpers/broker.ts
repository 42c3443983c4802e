import { createBroker, type Broker, type BrokerDeps } from '../../src/broker.js';
import type { BrokerConfig } from '../../src/config.js';
import type { SessionStore } from '../../src/persistence/session-store.js';

export interface TestBroker {
  broker: Broker;
  port: number;
  wsPort: number;
  /** Port of /metrics, /healthz, /readyz when brokerHttpPort was given (0 = a free port). */
  httpPort: number | undefined;
  /** mqtt://127.0.0.1:<port> */
  url: string;
  /** ws://127.0.0.1:<wsPort>/mqtt */
  wsUrl: string;
  close(): Promise<void>;
}

/**
 * A real broker on free loopback ports, anonymous allowed, $SYS off unless asked for.
 * BROKER_TEST_STORE=postgres runs it on a fresh Postgres store (durability sync) instead of
 * memory only: the conformance suites then exercise the durable paths too.
 */
export async function startTestBroker(config: Partial<BrokerConfig> = {}, deps: BrokerDeps = {}): Promise<TestBroker> {
  let ownStore: SessionStore | undefined;
  if (!deps.store && process.env.BROKER_TEST_STORE === 'postgres') {
    const { createMigratedDatabase } = await import('./postgres.js');
    const { createPostgresSessionStore } = await import('../../src/persistence/postgres-session-store.js');
    ownStore = createPostgresSessionStore({ databaseUrl: await createMigratedDatabase('conf'), batchMs: 2, batchMax: 1000, poolSize: 2 });
    deps = { ...deps, store: ownStore };
  }
  const broker = createBroker(
    {
      host: '127.0.0.1',
      mqttPort: 0,
      mqttWsPort: 0,
      allowAnonymous: true,
      sysInterval: 0,
      logLevel: process.env.LOG_LEVEL ?? 'silent',
      sessionExpirySweepMs: 100,
      // The HTTP endpoints (/metrics, /readyz) only where a test asks for them (0 = a free port).
      brokerHttpPort: -1,
      ...config,
    },
    deps,
  );
  const addresses = await broker.listen();
  return {
    broker,
    port: addresses.mqtt,
    wsPort: addresses.ws ?? -1,
    httpPort: addresses.http,
    url: `mqtt://127.0.0.1:${addresses.mqtt}`,
    wsUrl: `ws://127.0.0.1:${addresses.ws}/mqtt`,
    close: async () => {
      await broker.close();
      await ownStore?.close();
    },
  };
}
