import { connect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';

type Packet = mqttPacket.Packet;

/**
 * A raw MQTT peer over a plain socket: writes arbitrary bytes, parses what the broker answers,
 * and tells when the broker closes the connection. For malformed-input and ordering tests.
 */
export class RawClient {
  readonly packets: Packet[] = [];
  closed = false;
  private readonly parser;
  private readonly socket: Socket;
  private readonly opened: Promise<void>;

  constructor(port: number, protocolVersion: 3 | 4 | 5 = 4) {
    this.parser = mqttPacket.parser({ protocolVersion });
    this.parser.on('packet', (p: Packet) => this.packets.push(p));
    this.parser.on('error', () => {});
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('data', (d) => this.parser.parse(d));
    this.socket.on('error', () => {});
    this.socket.on('close', () => (this.closed = true));
    this.opened = new Promise((resolve) => this.socket.once('connect', () => resolve()));
  }

  async write(bytes: Buffer | number[]): Promise<void> {
    await this.opened;
    this.socket.write(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes));
  }

  async send(packet: Packet, protocolVersion: 3 | 4 | 5 = 4): Promise<void> {
    await this.write(mqttPacket.generate(packet, { protocolVersion }));
  }

  /** CONNECT and wait for CONNACK. */
  async connect(options: Partial<mqttPacket.IConnectPacket> & { protocolVersion?: 3 | 4 | 5 } = {}): Promise<Packet> {
    const protocolVersion = options.protocolVersion ?? 4;
    await this.send({ cmd: 'connect', clientId: `raw-${Math.random().toString(16).slice(2)}`, protocolId: protocolVersion === 3 ? 'MQIsdp' : 'MQTT', protocolVersion, clean: true, keepalive: 60, ...options } as mqttPacket.IConnectPacket, protocolVersion);
    return this.next('connack');
  }

  /** Waits for the next packet of a kind (already received ones count). */
  async next(cmd: Packet['cmd'], timeoutMs = 3000): Promise<Packet> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.packets.findIndex((p) => p.cmd === cmd);
      if (index >= 0) return this.packets.splice(index, 1)[0]!;
      if (Date.now() > deadline) throw new Error(`no ${cmd} within ${timeoutMs} ms (got ${this.packets.map((p) => p.cmd).join(',') || 'nothing'}, closed=${this.closed})`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Resolves true once the broker has closed the connection, false on timeout. */
  async waitClosed(timeoutMs = 3000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.closed;
  }

  destroy(): void {
    this.socket.destroy();
  }
}
