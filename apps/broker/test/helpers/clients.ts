import mqtt, { type IClientOptions, type MqttClient, type IPublishPacket } from 'mqtt';

const open = new Set<MqttClient>();

/** Connects an `mqtt` client (no automatic reconnect) and waits for CONNACK. */
export async function connectClient(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 5, ...options });
  open.add(client);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
  return client;
}

/** Collects PUBLISH packets a client receives. */
export function collect(client: MqttClient): IPublishPacket[] {
  const received: IPublishPacket[] = [];
  client.on('message', (_topic, _payload, packet) => received.push(packet));
  return received;
}

/** Waits until predicate holds (polling), or fails after timeoutMs. */
export async function waitFor(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Ends every client opened through connectClient (for afterEach). */
export async function closeAllClients(): Promise<void> {
  await Promise.all([...open].map((c) => new Promise<void>((resolve) => c.end(true, {}, () => resolve()))));
  open.clear();
}
