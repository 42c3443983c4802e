import { createBroker, type Broker, type BrokerDeps } from '../../src/broker.js';
import type { BrokerConfig } from '../../src/config.js';

export interface TestBroker {
  broker: Broker;
  port: number;
  wsPort: number;
  /** mqtt://127.0.0.1:<port> */
  url: string;
  /** ws://127.0.0.1:<wsPort>/mqtt */
  wsUrl: string;
  close(): Promise<void>;
}

/** A real broker on free loopback ports, anonymous allowed, $SYS off unless asked for. */
export async function startTestBroker(config: Partial<BrokerConfig> = {}, deps: BrokerDeps = {}): Promise<TestBroker> {
  const broker = createBroker(
    {
      host: '127.0.0.1',
      mqttPort: 0,
      mqttWsPort: 0,
      allowAnonymous: true,
      sysInterval: 0,
      logLevel: process.env.LOG_LEVEL ?? 'silent',
      sessionExpirySweepMs: 100,
      ...config,
    },
    deps,
  );
  const addresses = await broker.listen();
  return {
    broker,
    port: addresses.mqtt,
    wsPort: addresses.ws ?? -1,
    url: `mqtt://127.0.0.1:${addresses.mqtt}`,
    wsUrl: `ws://127.0.0.1:${addresses.ws}/mqtt`,
    close: () => broker.close(),
  };
}
