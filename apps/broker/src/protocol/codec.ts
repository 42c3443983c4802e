import { isUtf8 } from 'node:buffer';
import mqttPacket from 'mqtt-packet';
import type { Packet, ProtocolVersion } from './packets.js';
import { ReasonCode } from './reason-codes.js';

/** A decoding failure with the reason code the connection must be closed with. */
export class DecodeError extends Error {
  constructor(
    message: string,
    readonly reasonCode: number,
  ) {
    super(message);
    this.name = 'DecodeError';
  }
}

const PUBLISH = 3;
const PUBACK = 4;
const SUBSCRIBE = 8;
const UNSUBSCRIBE = 10;

/**
 * One mqtt-packet parser for every connection: frames reach it whole (see PacketDecoder), so it
 * holds no state between calls, and a parser per connection (an EventEmitter, a buffer list and,
 * after CONNECT, the CONNECT packet itself as its settings) would cost memory per idle client.
 */
const shared = {
  parser: createParser(),
  packet: null as Packet | null,
  failure: null as Error | null,
};
const SETTINGS: Record<ProtocolVersion, { protocolVersion: ProtocolVersion }> = { 3: { protocolVersion: 3 }, 4: { protocolVersion: 4 }, 5: { protocolVersion: 5 } };

function createParser(): ReturnType<typeof mqttPacket.parser> {
  const parser = mqttPacket.parser();
  parser.on('packet', (packet: Packet) => {
    shared.packet = packet;
  });
  parser.on('error', (error: Error) => {
    shared.failure = error;
  });
  return parser;
}

/**
 * Bytes in, packets out. Frames packets itself (fixed header + remaining length) so that a
 * packet larger than maxPacketSize is refused from its header, before its body is buffered:
 * memory per connection stays bounded whatever the peer announces. Each complete frame is then
 * parsed by mqtt-packet, which knows all three protocol versions.
 */
export class PacketDecoder {
  private buffered: Buffer | null = null;
  private version: ProtocolVersion = 4;

  constructor(private maxPacketSize: number) {}

  setMaxPacketSize(size: number): void {
    this.maxPacketSize = size;
  }

  setProtocolVersion(version: ProtocolVersion): void {
    this.version = version;
  }

  /**
   * Feeds bytes; calls onPacket for every complete packet; throws DecodeError on bad input.
   * onPacket returns false to drop the rest (closed), 'hold' to keep the rest undecoded until the
   * next push (the connection is busy: raw bytes cost less memory than parsed packets).
   */
  push(chunk: Buffer, onPacket: (packet: Packet, size: number) => boolean | 'hold' | void): void {
    const data = this.buffered ? (chunk.length === 0 ? this.buffered : Buffer.concat([this.buffered, chunk])) : chunk;
    this.buffered = null;
    let offset = 0;
    while (offset < data.length) {
      const frame = this.frameAt(data, offset);
      if (frame === null) break; // incomplete
      const { headerLength, remainingLength } = frame;
      const total = headerLength + remainingLength;
      if (offset + total > data.length) break;
      const bytes = data.subarray(offset, offset + total);
      offset += total;
      const packet = this.parse(bytes, headerLength);
      const stop = onPacket(packet, total);
      if (stop === false) {
        offset = data.length;
        break;
      }
      if (stop === 'hold') break;
    }
    if (offset < data.length) {
      // Keep the rest for the next push. A small tail (a partial packet) is copied, so that a large
      // chunk is not retained for it; a rest that is most of the chunk (a busy connection held it
      // undecoded, and may hold it again and again while its subscribers drain) is kept as a view:
      // copying it at every hold cost copies and GC pressure under overload.
      const rest = data.length - offset;
      this.buffered = rest * 2 >= data.length ? data.subarray(offset) : Buffer.from(data.subarray(offset));
    }
  }

  private frameAt(data: Buffer, offset: number): { headerLength: number; remainingLength: number } | null {
    let multiplier = 1;
    let value = 0;
    let index = offset + 1;
    for (let i = 0; i < 4; i++) {
      if (index >= data.length) return null;
      const byte = data[index++]!;
      value += (byte & 0x7f) * multiplier;
      if ((byte & 0x80) === 0) {
        const headerLength = index - offset;
        if (headerLength + value > this.maxPacketSize) {
          throw new DecodeError(`packet of ${headerLength + value} bytes exceeds the maximum packet size ${this.maxPacketSize}`, ReasonCode.PacketTooLarge);
        }
        return { headerLength, remainingLength: value };
      }
      multiplier *= 128;
    }
    // [MQTT-1.5.5-1] a Variable Byte Integer has at most four bytes.
    throw new DecodeError('invalid remaining length', ReasonCode.MalformedPacket);
  }

  private parse(bytes: Buffer, headerLength: number): Packet {
    const type = bytes[0]! >> 4;
    if (type === PUBLISH || type === SUBSCRIBE || type === UNSUBSCRIBE) checkUtf8(bytes, headerLength, type, this.version);
    // The two packets of every message flow, read directly (profiles: mqtt-packet's general
    // parser, its buffer list and debug calls cost more than the rest of routing). Anything
    // unusual (5.0 properties, reason codes, bad flags, truncation) goes to mqtt-packet below.
    if (type === PUBLISH) {
      const packet = parsePlainPublish(bytes, headerLength, this.version === 5);
      if (packet) return packet;
    } else if (type === PUBACK && bytes.length === 4 && bytes[0] === 0x40) {
      const packet: Packet = { cmd: 'puback', retain: false, qos: 0, dup: false, length: 2, topic: null, payload: null, messageId: bytes.readUInt16BE(2) } as unknown as Packet;
      if (this.version === 5) (packet as { reasonCode?: number }).reasonCode = 0;
      return packet;
    }
    shared.packet = null;
    shared.failure = null;
    const parser = shared.parser as unknown as { settings: unknown; _list: { length: number }; _stateCounter: number; parse(bytes: Buffer): number };
    parser.settings = SETTINGS[this.version];
    parser.parse(bytes);
    const packet = shared.packet as Packet | null;
    const failure = shared.failure as Error | null;
    shared.packet = null;
    shared.failure = null;
    // Whatever a frame left behind (an error, unconsumed bytes) must not reach the next connection's frame.
    if (failure || !packet || parser._list.length !== 0 || parser._stateCounter !== 0) shared.parser = createParser();
    if (failure) throw new DecodeError(failure.message, ReasonCode.MalformedPacket);
    if (!packet) throw new DecodeError('incomplete packet', ReasonCode.MalformedPacket);
    // mqtt-packet accepts trailing bytes in some packets; the remaining length must be exact.
    return packet;
  }
}

/**
 * A PUBLISH without properties (3.1.1, or 5.0 with a property length of 0), as mqtt-packet would
 * produce it; null for anything else (mqtt-packet then parses it, or reports the error).
 */
function parsePlainPublish(bytes: Buffer, headerLength: number, v5: boolean): Packet | null {
  const first = bytes[0]!;
  const qos = (first >> 1) & 3;
  if (qos === 3) return null;
  const end = bytes.length;
  let offset = headerLength;
  if (offset + 2 > end) return null;
  const topicLength = (bytes[offset]! << 8) | bytes[offset + 1]!;
  offset += 2;
  if (offset + topicLength > end) return null;
  const topic = bytes.toString('utf8', offset, offset + topicLength);
  offset += topicLength;
  let messageId = 0;
  if (qos > 0) {
    if (offset + 2 > end) return null;
    messageId = (bytes[offset]! << 8) | bytes[offset + 1]!;
    offset += 2;
  }
  if (v5) {
    if (offset >= end || bytes[offset] !== 0) return null;
    offset += 1;
  }
  const packet = { cmd: 'publish', retain: (first & 1) !== 0, qos, dup: (first & 8) !== 0, length: end - headerLength, topic, payload: bytes.subarray(offset, end) } as { messageId?: number };
  if (qos > 0) packet.messageId = messageId;
  return packet as unknown as Packet;
}

function readVarInt(bytes: Buffer, offset: number): { value: number; next: number } {
  let value = 0;
  let multiplier = 1;
  for (let i = 0; i < 4; i++) {
    if (offset >= bytes.length) throw new DecodeError('truncated variable byte integer', ReasonCode.MalformedPacket);
    const byte = bytes[offset++]!;
    value += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) return { value, next: offset };
    multiplier *= 128;
  }
  throw new DecodeError('invalid variable byte integer', ReasonCode.MalformedPacket);
}

/**
 * [MQTT-1.5.4-1] UTF-8 strings must be well-formed. mqtt-packet decodes leniently (replacement
 * characters), so topic names and filters are checked on the raw bytes here.
 */
function checkUtf8(bytes: Buffer, headerLength: number, type: number, version: ProtocolVersion): void {
  let offset = headerLength;
  const end = bytes.length;
  if (type === PUBLISH) {
    checkUtf8String(bytes, offset, end);
    return;
  }
  offset += 2; // packet identifier
  if (version === 5) {
    const properties = readVarInt(bytes, offset);
    offset = properties.next + properties.value;
  }
  while (offset < end) {
    offset = checkUtf8String(bytes, offset, end);
    if (type === SUBSCRIBE) offset += 1; // subscription options
  }
}

/** Checks the length-prefixed UTF-8 string at `offset`; returns the offset after it. */
function checkUtf8String(bytes: Buffer, offset: number, end: number): number {
  if (offset + 2 > end) throw new DecodeError('truncated string', ReasonCode.MalformedPacket);
  const length = bytes.readUInt16BE(offset);
  const start = offset + 2;
  if (start + length > end) throw new DecodeError('truncated string', ReasonCode.MalformedPacket);
  const stop = start + length;
  // ASCII (nearly every topic) is valid UTF-8: checked in place, without a Buffer view per packet.
  for (let i = start; i < stop; i++) {
    if (bytes[i]! >= 0x80) {
      if (!isUtf8(bytes.subarray(start, stop))) throw new DecodeError('topic is not valid UTF-8', ReasonCode.MalformedPacket);
      break;
    }
  }
  return stop;
}

/** Packets out: one Buffer per packet for the given protocol version. */
export function encodePacket(packet: Packet, version: ProtocolVersion): Buffer {
  return mqttPacket.generate(packet, { protocolVersion: version });
}

/**
 * A PUBLISH encoded directly, for the common case of a message sent to many subscribers with
 * the same bytes: no properties (3.1.1, or 5.0 with an empty property list). For QoS 1/2 the
 * packet identifier is 0 at `publishPacketIdOffset(bytes)`: the copy written to each
 * subscriber gets its own identifier there. Anything else goes through `encodePacket`.
 */
export function encodePlainPublish(topic: string, payload: Buffer, qos: number, retain: boolean, v5: boolean): Buffer {
  const topicLength = Buffer.byteLength(topic, 'utf8');
  const remaining = 2 + topicLength + (qos > 0 ? 2 : 0) + (v5 ? 1 : 0) + payload.length;
  const lengthBytes = remaining < 128 ? 1 : remaining < 16384 ? 2 : remaining < 2097152 ? 3 : 4;
  const bytes = Buffer.allocUnsafe(1 + lengthBytes + remaining);
  bytes[0] = 0x30 | (qos << 1) | (retain ? 1 : 0);
  let offset = 1;
  let value = remaining;
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    bytes[offset++] = byte;
  } while (value > 0);
  bytes.writeUInt16BE(topicLength, offset);
  offset += 2;
  offset += bytes.write(topic, offset, 'utf8');
  if (qos > 0) {
    bytes[offset++] = 0;
    bytes[offset++] = 0;
  }
  if (v5) bytes[offset++] = 0; // property length 0
  payload.copy(bytes, offset);
  return bytes;
}

/** Where a QoS 1/2 PUBLISH made by encodePlainPublish holds its packet identifier. */
export function publishPacketIdOffset(bytes: Buffer): number {
  let offset = 1;
  while ((bytes[offset++]! & 0x80) !== 0);
  return offset + 2 + bytes.readUInt16BE(offset);
}
