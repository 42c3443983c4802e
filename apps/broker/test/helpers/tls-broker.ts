import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBroker, type Broker, type BrokerDeps, type ListeningAddresses } from '../../src/broker.js';
import type { BrokerConfig } from '../../src/config.js';

export interface SelfSignedCertificate {
  cert: string;
  key: string;
}

/** A throw-away self-signed certificate for CN=localhost, made by the openssl command line tool. */
export function makeSelfSignedCertificate(): SelfSignedCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'broker-tls-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
    return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface AllListenersBroker {
  broker: Broker;
  addresses: Required<Omit<ListeningAddresses, 'http'>>;
  /** mqtt://, ws://.../mqtt, mqtts://, wss://.../mqtt on 127.0.0.1 */
  urls: { mqtt: string; ws: string; mqtts: string; wss: string };
  close(): Promise<void>;
}

/**
 * A real broker with all four listeners (TCP, WebSocket, TLS, WebSocket over TLS) on free
 * loopback ports. startTestBroker only reports the TCP and WebSocket ports, so this helper calls
 * createBroker and listen itself and returns every address.
 */
export async function startAllListenersBroker(tls: SelfSignedCertificate, config: Partial<BrokerConfig> = {}, deps: BrokerDeps = {}): Promise<AllListenersBroker> {
  const broker = createBroker(
    {
      host: '127.0.0.1',
      mqttPort: 0,
      mqttWsPort: 0,
      mqttsPort: 0,
      mqttWssPort: 0,
      tlsCert: tls.cert,
      tlsKey: tls.key,
      allowAnonymous: true,
      sysInterval: 0,
      logLevel: process.env.LOG_LEVEL ?? 'silent',
      sessionExpirySweepMs: 100,
      brokerHttpPort: -1,
      ...config,
    },
    deps,
  );
  const listening = await broker.listen();
  const { mqtt, ws, mqtts, wss } = listening;
  if (ws === undefined || mqtts === undefined || wss === undefined) {
    await broker.close();
    throw new Error(`not every listener started: ${JSON.stringify(listening)}`);
  }
  return {
    broker,
    addresses: { mqtt, ws, mqtts, wss },
    urls: {
      mqtt: `mqtt://127.0.0.1:${mqtt}`,
      ws: `ws://127.0.0.1:${ws}/mqtt`,
      mqtts: `mqtts://127.0.0.1:${mqtts}`,
      wss: `wss://127.0.0.1:${wss}/mqtt`,
    },
    close: () => broker.close(),
  };
}
