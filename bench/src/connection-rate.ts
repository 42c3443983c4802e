import net from 'node:net';

/** One client: its client id, MQTT user name and password. */
export interface ClientCredentials {
  clientId: string;
  username: string;
  password: string;
}

export interface ConnectionRateOptions {
  host: string;
  port: number;
  clients: ClientCredentials[];
  /** Connection attempts in flight at once. */
  concurrency: number;
}

export interface ConnectionRateResult {
  clients: number;
  accepted: number;
  refused: number;
  failed: number;
  seconds: number;
  connectionsPerSecond: number;
  /** CONNECT sent -> CONNACK received, in milliseconds. */
  latencyMs: { p50: number; p99: number; max: number };
}

function utf8Field(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function remainingLength(length: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    bytes.push(byte);
  } while (length > 0);
  return Buffer.from(bytes);
}

/** An MQTT 3.1.1 CONNECT with Clean Session, User Name and Password, Keep Alive 60 s. */
export function connectPacket(credentials: ClientCredentials): Buffer {
  const variableHeader = Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0xc2, 0x00, 0x3c]);
  const payload = Buffer.concat([utf8Field(credentials.clientId), utf8Field(credentials.username), utf8Field(credentials.password)]);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(variableHeader.length + payload.length), variableHeader, payload]);
}

const DISCONNECT = Buffer.from([0xe0, 0x00]);

/**
 * One connection over a bare TCP socket: CONNECT, wait for the 4-byte CONNACK, DISCONNECT, close.
 * Resolves with the CONNACK return code (-1 when the connection ended without one) and the latency.
 */
function connectOnce(host: string, port: number, credentials: ClientCredentials): Promise<{ returnCode: number; latencyMs: number }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, noDelay: true });
    let started = 0n;
    let received = Buffer.alloc(0);
    let settled = false;
    const settle = (returnCode: number): void => {
      if (settled) return;
      settled = true;
      resolve({ returnCode, latencyMs: Number(process.hrtime.bigint() - started) / 1e6 });
    };
    socket.once('connect', () => {
      started = process.hrtime.bigint();
      socket.write(connectPacket(credentials));
    });
    socket.on('data', (bytes) => {
      received = Buffer.concat([received, bytes]);
      if (received.length < 4) return;
      const returnCode = received[0] === 0x20 ? (received[3] ?? -1) : -1;
      settle(returnCode);
      if (returnCode === 0) socket.end(DISCONNECT);
      else socket.end();
    });
    socket.on('error', () => settle(-1));
    socket.on('close', () => settle(-1));
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return Number((sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0).toFixed(1));
}

/**
 * Connection rate: every client connects once (CONNECT with user name and password, CONNACK,
 * DISCONNECT), at most `concurrency` at a time. The figure is clients accepted per second from
 * the first connection attempt to the last CONNACK.
 */
export async function runConnectionRate(options: ConnectionRateOptions): Promise<ConnectionRateResult> {
  const latencies: number[] = [];
  let accepted = 0;
  let refused = 0;
  let failed = 0;
  let next = 0;
  const start = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    while (next < options.clients.length) {
      const credentials = options.clients[next++];
      if (!credentials) break;
      const { returnCode, latencyMs } = await connectOnce(options.host, options.port, credentials);
      if (returnCode === 0) {
        accepted++;
        latencies.push(latencyMs);
      } else if (returnCode > 0) refused++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.clients.length) }, () => worker()));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  latencies.sort((a, b) => a - b);
  return {
    clients: options.clients.length,
    accepted,
    refused,
    failed,
    seconds: Number(seconds.toFixed(2)),
    connectionsPerSecond: Math.round(accepted / seconds),
    latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: percentile(latencies, 100) },
  };
}
