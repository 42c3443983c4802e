import mqtt, { type IClientOptions, type IConnackPacket, type IPublishPacket, type MqttClient } from 'mqtt';

const open = new Set<MqttClient>();

export interface CollectingClient {
  client: MqttClient;
  /**
   * PUBLISH packets in the order they came off the wire, from the very first one after CONNACK.
   * (MQTT.js emits 'message' for QoS 2 only at PUBREL, which reorders mixed-QoS streams.)
   */
  received: IPublishPacket[];
  connack: IConnackPacket;
}

/**
 * Connects an MQTT.js client (no automatic reconnect) with its message listener attached before
 * CONNACK, so messages a resumed session sends right after CONNACK are not missed.
 */
export async function connectCollecting(url: string, options: IClientOptions = {}): Promise<CollectingClient> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 5, ...options });
  open.add(client);
  const received: IPublishPacket[] = [];
  client.on('packetreceive', (packet) => {
    if (packet.cmd === 'publish') received.push(packet);
  });
  const connack = await new Promise<IConnackPacket>((resolve, reject) => {
    client.once('connect', (packet) => resolve(packet));
    client.once('error', reject);
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
  return { client, received, connack };
}

/** Ends a client cleanly (DISCONNECT) and waits for the socket to close. */
export async function endClient(client: MqttClient): Promise<void> {
  await new Promise<void>((resolve) => client.end(false, {}, () => resolve()));
  open.delete(client);
}

/** Ends every client opened through connectCollecting (for afterEach). */
export async function closeCollectingClients(): Promise<void> {
  await Promise.all([...open].map((c) => new Promise<void>((resolve) => c.end(true, {}, () => resolve()))));
  open.clear();
}

/** Payloads as strings, in arrival order. */
export function payloads(received: readonly IPublishPacket[], topic?: string): string[] {
  return received.filter((p) => topic === undefined || p.topic === topic).map((p) => p.payload.toString());
}

/** The Subscription Identifiers of a received 5.0 PUBLISH, sorted (their order is not significant). */
export function subscriptionIds(packet: IPublishPacket): number[] {
  const raw = packet.properties?.subscriptionIdentifier as number | number[] | undefined;
  if (raw === undefined) return [];
  return (Array.isArray(raw) ? [...raw] : [raw]).sort((a, b) => a - b);
}
