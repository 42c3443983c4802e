import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

// The real broker, run as its own process (apps do not import each other).
const brokerDir = fileURLToPath(new URL('../../broker/', import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export interface BrokerProcess {
  url: string;
  nodeId: string;
  stop(): Promise<void>;
  output(): string;
}

/** Starts apps/broker on `databaseUrl` (anonymous clients allowed, ACL defaults allow) and waits until it listens. */
export async function startBroker(databaseUrl: string, env: Record<string, string> = {}): Promise<BrokerProcess> {
  const port = await freePort();
  const nodeId = env.NODE_ID ?? 'node-1';
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: brokerDir,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      MQTT_HOST: '127.0.0.1',
      MQTT_PORT: String(port),
      MQTT_WS_PORT: '-1',
      MQTTS_PORT: '-1',
      MQTT_WSS_PORT: '-1',
      SYS_INTERVAL: '0',
      MQTT_ALLOW_ANONYMOUS: 'true',
      MQTT_ACL_DEFAULT_PUBLISH: 'allow',
      MQTT_ACL_DEFAULT_SUBSCRIBE: 'allow',
      LOG_LEVEL: 'info',
      NODE_ID: nodeId,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`broker did not start:\n${out}`)), 45_000);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      if (out.includes('broker listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`broker exited with ${code}:\n${out}`));
    });
  });
  return {
    url: `mqtt://127.0.0.1:${port}`,
    nodeId,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

const open = new Set<MqttClient>();

/** Connects an `mqtt` client (no automatic reconnect unless asked) and waits for CONNACK. */
export async function connectClient(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 10_000, protocolVersion: 5, ...options });
  open.add(client);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
  return client;
}

/** Ends every client opened through connectClient. */
export async function closeAllClients(): Promise<void> {
  await Promise.all([...open].map((c) => new Promise<void>((resolve) => c.end(true, {}, () => resolve()))));
  open.clear();
}

/** Polls until `check` returns a value that is not undefined, or fails after the deadline. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
