import { connect, type Socket } from 'node:net';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';

export type Packet = mqttPacket.Packet;
export type Version = 3 | 4 | 5;

/**
 * A raw MQTT peer for publish-flow tests: like RawClient, plus what those tests need to see and
 * control on the wire: every packet's exact bytes (`frames`), not reading the socket at all
 * (`pause()`, a slow consumer), and "nothing of this kind arrived" checks.
 */
export class WirePeer {
  /** Parsed packets not yet taken by next(). */
  readonly packets: Packet[] = [];
  /** Every packet received, in order (never spliced). */
  readonly received: Packet[] = [];
  /** The exact bytes of every packet received, in order. */
  readonly frames: Buffer[] = [];
  closed = false;
  readonly socket: Socket;
  private readonly parser;
  private pending: Buffer = Buffer.alloc(0);
  private readonly opened: Promise<void>;

  constructor(
    port: number,
    readonly version: Version = 4,
  ) {
    this.parser = mqttPacket.parser({ protocolVersion: version });
    this.parser.on('packet', (p: Packet) => {
      this.packets.push(p);
      this.received.push(p);
    });
    this.parser.on('error', () => {});
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('data', (d: Buffer) => this.onData(d));
    this.socket.on('error', () => {});
    this.socket.on('close', () => (this.closed = true));
    this.opened = new Promise((resolve) => this.socket.once('connect', () => resolve()));
  }

  private onData(data: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    for (;;) {
      const size = frameSize(this.pending);
      if (size === undefined || size > this.pending.length) break;
      const frame = Buffer.from(this.pending.subarray(0, size));
      this.pending = this.pending.subarray(size);
      this.frames.push(frame);
      this.parser.parse(frame);
    }
  }

  async write(bytes: Buffer | number[]): Promise<void> {
    await this.opened;
    this.socket.write(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes));
  }

  async send(packet: Packet): Promise<void> {
    await this.write(encode(packet, this.version));
  }

  /** CONNECT (clean, keep alive 60 unless given) and wait for CONNACK. */
  async connect(options: Partial<mqttPacket.IConnectPacket> = {}): Promise<mqttPacket.IConnackPacket> {
    const version = this.version;
    await this.send({
      cmd: 'connect',
      clientId: `wire-${Math.random().toString(16).slice(2)}`,
      protocolId: version === 3 ? 'MQIsdp' : 'MQTT',
      protocolVersion: version,
      clean: true,
      keepalive: 60,
      ...options,
    } as mqttPacket.IConnectPacket);
    return (await this.next('connack')) as mqttPacket.IConnackPacket;
  }

  /** SUBSCRIBE to one filter and wait for the SUBACK; returns the granted codes. */
  async subscribe(topic: string, qos: 0 | 1 | 2, options: { rap?: boolean; nl?: boolean; messageId?: number } = {}): Promise<number[]> {
    const messageId = options.messageId ?? 60000 + Math.floor(Math.random() * 5000);
    await this.send({
      cmd: 'subscribe',
      messageId,
      subscriptions: [{ topic, qos, ...(options.rap ? { rap: true } : {}), ...(options.nl ? { nl: true } : {}) }],
    } as mqttPacket.ISubscribePacket);
    const suback = (await this.next('suback')) as mqttPacket.ISubackPacket;
    return suback.granted as number[];
  }

  /** Waits for the next packet of a kind (already received ones count) and takes it. */
  async next<C extends Packet['cmd']>(cmd: C, timeoutMs = 3000): Promise<Extract<Packet, { cmd: C }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.packets.findIndex((p) => p.cmd === cmd);
      if (index >= 0) return this.packets.splice(index, 1)[0] as Extract<Packet, { cmd: C }>;
      if (Date.now() > deadline) {
        throw new Error(`no ${cmd} within ${timeoutMs} ms (have ${this.packets.map((p) => p.cmd).join(',') || 'nothing'}, closed=${this.closed})`);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Takes every pending packet of a kind. */
  take<C extends Packet['cmd']>(cmd: C): Array<Extract<Packet, { cmd: C }>> {
    const taken: Array<Extract<Packet, { cmd: C }>> = [];
    for (let i = 0; i < this.packets.length; ) {
      if (this.packets[i]!.cmd === cmd) taken.push(this.packets.splice(i, 1)[0] as Extract<Packet, { cmd: C }>);
      else i++;
    }
    return taken;
  }

  count(cmd: Packet['cmd']): number {
    return this.packets.filter((p) => p.cmd === cmd).length;
  }

  async waitClosed(timeoutMs = 3000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    return this.closed;
  }

  /** Stops reading the socket: the broker's writes pile up (slow consumer). */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Total size of the first packet in buf (fixed header + remaining length), or undefined if unknown yet. */
export function frameSize(buf: Buffer): number | undefined {
  let multiplier = 1;
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    if (i >= buf.length) return undefined;
    const byte = buf[i]!;
    value += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) return i + 1 + value;
    multiplier *= 128;
  }
  throw new Error('invalid remaining length');
}

export function encode(packet: Packet, version: Version): Buffer {
  return mqttPacket.generate(packet, { protocolVersion: version });
}

/**
 * User Properties of a v5 PUBLISH, read from the raw bytes in wire order (mqtt-packet groups
 * repeated keys, so the order across keys is not visible in parsed packets).
 */
export function rawUserProperties(frame: Buffer): Array<[string, string]> {
  let offset = 1;
  while (frame[offset]! & 0x80) offset++;
  offset++;
  const qos = (frame[0]! >> 1) & 3;
  const topicLength = frame.readUInt16BE(offset);
  offset += 2 + topicLength + (qos > 0 ? 2 : 0);
  let propertiesLength = 0;
  let multiplier = 1;
  for (;;) {
    const byte = frame[offset++]!;
    propertiesLength += (byte & 0x7f) * multiplier;
    multiplier *= 128;
    if ((byte & 0x80) === 0) break;
  }
  const end = offset + propertiesLength;
  const result: Array<[string, string]> = [];
  const readString = (): string => {
    const length = frame.readUInt16BE(offset);
    const value = frame.toString('utf8', offset + 2, offset + 2 + length);
    offset += 2 + length;
    return value;
  };
  while (offset < end) {
    const id = frame[offset++]!;
    switch (id) {
      case 0x01: // payload format indicator
        offset += 1;
        break;
      case 0x02: // message expiry interval
        offset += 4;
        break;
      case 0x23: // topic alias
        offset += 2;
        break;
      case 0x03: // content type
      case 0x08: // response topic
      case 0x09: // correlation data
        offset += 2 + frame.readUInt16BE(offset);
        break;
      case 0x0b: // subscription identifier (variable byte integer)
        while (frame[offset++]! & 0x80);
        break;
      case 0x26: {
        const key = readString();
        result.push([key, readString()]);
        break;
      }
      default:
        throw new Error(`unexpected PUBLISH property 0x${id.toString(16)}`);
    }
  }
  return result;
}

const tracked = new Set<MqttClient>();

/**
 * Connects an MQTT.js client that records PUBLISH packets from the very first one (messages
 * sent right after CONNACK, e.g. a resumed session's queue, are not missed).
 */
export async function connectRecording(url: string, options: IClientOptions = {}): Promise<{ client: MqttClient; received: IPublishPacket[] }> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 5, ...options });
  tracked.add(client);
  const received: IPublishPacket[] = [];
  client.on('message', (_topic, _payload, packet) => received.push(packet));
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
  return { client, received };
}

/** Ends every client from connectRecording (for afterEach). */
export async function closeRecordingClients(): Promise<void> {
  await Promise.all([...tracked].map((c) => new Promise<void>((resolve) => c.end(true, {}, () => resolve()))));
  tracked.clear();
}

/** Ends an MQTT.js client gracefully (DISCONNECT) and waits for it. */
export function endClient(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.end(false, {}, () => resolve()));
}
