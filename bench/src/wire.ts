/**
 * The load generator's side of the wire: MQTT 3.1.1 packets encoded once (then copied or patched),
 * and a minimal frame reader that only finds frame boundaries. Nothing here parses more than it
 * needs, so that the generator is not the bottleneck.
 */

export const PUBLISH = 3;
export const PUBACK = 4;
export const CONNACK = 2;
export const SUBACK = 9;

function varInt(length: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    bytes.push(byte);
  } while (length > 0);
  return bytes;
}

function utf8(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const out = Buffer.allocUnsafe(2 + bytes.length);
  out.writeUInt16BE(bytes.length, 0);
  bytes.copy(out, 2);
  return out;
}

function packet(first: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([first, ...varInt(body.length)]), body]);
}

export interface ConnectOptions {
  clientId: string;
  clean?: boolean;
  keepAlive?: number;
  username?: string;
  password?: string;
}

/** CONNECT, protocol level 4 (3.1.1). */
export function connectPacket(options: ConnectOptions): Buffer {
  let flags = options.clean === false ? 0 : 0x02;
  if (options.username !== undefined) flags |= 0x80;
  if (options.password !== undefined) flags |= 0x40;
  const keepAlive = options.keepAlive ?? 60;
  const parts = [Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, flags, keepAlive >> 8, keepAlive & 0xff]), utf8(options.clientId)];
  if (options.username !== undefined) parts.push(utf8(options.username));
  if (options.password !== undefined) parts.push(utf8(options.password));
  return packet(0x10, Buffer.concat(parts));
}

export function subscribePacket(filter: string, qos: 0 | 1 | 2, packetId = 1): Buffer {
  return packet(0x82, Buffer.concat([Buffer.from([packetId >> 8, packetId & 0xff]), utf8(filter), Buffer.from([qos])]));
}

/** A PUBLISH; for QoS > 0 the packet identifier is at `packetIdOffset(...)` (patch it per copy). */
export function publishPacket(topic: string, payload: Buffer, qos: 0 | 1 = 0, retain = false, packetId = 1): Buffer {
  const parts = [utf8(topic)];
  if (qos > 0) parts.push(Buffer.from([packetId >> 8, packetId & 0xff]));
  parts.push(payload);
  return packet(0x30 | (qos << 1) | (retain ? 1 : 0), Buffer.concat(parts));
}

/** Where the packet identifier sits in a QoS 1 PUBLISH produced by publishPacket (and the payload follows it). */
export function publishLayout(packetBytes: Buffer): { packetIdOffset: number; payloadOffset: number } {
  let index = 1;
  while ((packetBytes[index++]! & 0x80) !== 0);
  const topicLength = packetBytes.readUInt16BE(index);
  const packetIdOffset = index + 2 + topicLength;
  return { packetIdOffset, payloadOffset: packetIdOffset + 2 };
}

export function pubackPacket(packetId: number): Buffer {
  return Buffer.from([0x40, 0x02, packetId >> 8, packetId & 0xff]);
}

export const DISCONNECT = Buffer.from([0xe0, 0x00]);

/** `count` copies of one packet back to back: one write sends a batch. */
export function repeat(bytes: Buffer, count: number): Buffer {
  const out = Buffer.allocUnsafe(bytes.length * count);
  for (let i = 0; i < count; i++) bytes.copy(out, i * bytes.length);
  return out;
}

/**
 * Finds frames in a byte stream and hands each one's type and bounds to `onFrame`. Frames
 * spanning chunks are reassembled (the only copy); everything else is read in place.
 */
export class FrameReader {
  private rest: Buffer | null = null;

  constructor(private readonly onFrame: (type: number, bytes: Buffer, start: number, end: number) => void) {}

  push(chunk: Buffer): void {
    let data = chunk;
    if (this.rest) {
      data = Buffer.concat([this.rest, chunk]);
      this.rest = null;
    }
    const length = data.length;
    let offset = 0;
    while (offset < length) {
      if (offset + 2 > length) break;
      let index = offset + 1;
      let value = 0;
      let multiplier = 1;
      let byte = 0;
      let complete = false;
      for (let i = 0; i < 4 && index < length; i++) {
        byte = data[index++]!;
        value += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete) break;
      const end = index + value;
      if (end > length) break;
      this.onFrame(data[offset]! >> 4, data, offset, end);
      offset = end;
    }
    if (offset < length) this.rest = data.subarray(offset);
  }
}

/** Offset of the payload of a PUBLISH frame at [start, end) (3.1.1: no properties). */
export function publishPayloadOffset(bytes: Buffer, start: number): number {
  let index = start + 1;
  while ((bytes[index++]! & 0x80) !== 0);
  const topicLength = bytes.readUInt16BE(index);
  const qos = (bytes[start]! >> 1) & 3;
  return index + 2 + topicLength + (qos > 0 ? 2 : 0);
}

/** Packet identifier of a QoS > 0 PUBLISH frame at `start`. */
export function publishPacketId(bytes: Buffer, start: number): number {
  let index = start + 1;
  while ((bytes[index++]! & 0x80) !== 0);
  const topicLength = bytes.readUInt16BE(index);
  return bytes.readUInt16BE(index + 2 + topicLength);
}
