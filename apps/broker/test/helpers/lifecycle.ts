import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { IConnackPacket, IDisconnectPacket, IPublishPacket } from 'mqtt-packet';
import { RawClient } from './raw-client.js';

/**
 * Helpers for the connection-lifecycle suites (CONNECT, sessions, keep alive, wills, $SYS,
 * shutdown): MQTT.js clients that expose their CONNACK and collect from the first byte, raw
 * clients that are cleaned up after each test, and CONNECT packets built byte by byte.
 */

const clients = new Set<MqttClient>();
const raws = new Set<RawClient>();

export interface Connected {
  client: MqttClient;
  connack: IConnackPacket;
  /** PUBLISH packets received, collected from before CONNACK (queued messages arrive right after it). */
  received: IPublishPacket[];
  /** DISCONNECT packets sent by the server. */
  disconnects: IDisconnectPacket[];
  /** Whether the network connection has closed. */
  isClosed(): boolean;
}

/** Connects an MQTT.js client (5.0 by default, no reconnect) and resolves with its CONNACK. */
export async function connectV(url: string, options: IClientOptions = {}): Promise<Connected> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 5, ...options });
  clients.add(client);
  const received: IPublishPacket[] = [];
  const disconnects: IDisconnectPacket[] = [];
  let closed = false;
  client.on('message', (_topic, _payload, packet) => received.push(packet));
  client.on('disconnect', (packet) => disconnects.push(packet));
  client.on('close', () => (closed = true));
  const connack = await new Promise<IConnackPacket>((resolve, reject) => {
    client.once('connect', (packet) => resolve(packet));
    client.once('error', reject);
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
  return { client, connack, received, disconnects, isClosed: () => closed };
}

/** A RawClient that afterEach destroys. */
export function rawClient(port: number, version: 3 | 4 | 5 = 4): RawClient {
  const client = new RawClient(port, version);
  raws.add(client);
  return client;
}

/** Ends every client opened here (for afterEach). */
export async function closeLifecycleClients(): Promise<void> {
  for (const r of raws) r.destroy();
  raws.clear();
  await Promise.all([...clients].map((c) => new Promise<void>((resolve) => c.end(true, {}, () => resolve()))));
  clients.clear();
}

/** Kills the client's socket without DISCONNECT: an abnormal close as far as the broker can tell. */
export function dropConnection(client: MqttClient): void {
  client.stream.destroy();
}

function utf8(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function remainingLength(length: number): Buffer {
  const out: number[] = [];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    out.push(byte);
  } while (length > 0);
  return Buffer.from(out);
}

/**
 * A CONNECT packet byte by byte, for what mqtt-packet refuses to encode (unknown protocol
 * levels, an empty Client Identifier with Clean Start 0). Properties are given already encoded
 * (5.0 only; pass an empty buffer for "no properties").
 */
export function connectBytes(options: {
  protocolName: string;
  level: number;
  cleanStart: boolean;
  clientId: string;
  keepAlive?: number;
  properties?: Buffer;
}): Buffer {
  const keepAlive = Buffer.alloc(2);
  keepAlive.writeUInt16BE(options.keepAlive ?? 60);
  const parts = [utf8(options.protocolName), Buffer.from([options.level, options.cleanStart ? 0x02 : 0x00]), keepAlive];
  if (options.properties) parts.push(remainingLength(options.properties.length), options.properties);
  parts.push(utf8(options.clientId));
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body]);
}

/** Encodes a Four Byte Integer property (e.g. 0x11 Session Expiry Interval). */
export function uint32Property(identifier: number, value: number): Buffer {
  const bytes = Buffer.alloc(5);
  bytes[0] = identifier;
  bytes.writeUInt32BE(value, 1);
  return bytes;
}
