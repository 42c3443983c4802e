import net from 'node:net';
import { CONNACK, DISCONNECT, FrameReader, SUBACK, connectPacket, subscribePacket, type ConnectOptions } from './wire.js';

export interface Target {
  host: string;
  port: number;
}

export type FrameHandler = (type: number, bytes: Buffer, start: number, end: number) => void;

/** A connected MQTT 3.1.1 client over a bare socket; frames after CONNACK/SUBACK go to `onFrame`. */
export interface RawClient {
  readonly socket: net.Socket;
  onFrame: FrameHandler;
  /** Called after each chunk's frames were handled (to batch replies into one write). */
  afterData: () => void;
  /** Resolves when the socket has closed. */
  readonly closed: Promise<void>;
  /** DISCONNECT, then wait (bounded) for the broker to close the connection. */
  close(): Promise<void>;
}

export interface OpenOptions extends ConnectOptions {
  localAddress?: string;
  subscribe?: { filter: string; qos: 0 | 1 | 2 };
  timeoutMs?: number;
}

/** Opens a client: CONNECT -> CONNACK 0 -> (SUBSCRIBE -> SUBACK). Rejects on refusal or timeout. */
export function openClient(target: Target, options: OpenOptions): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: target.host, port: target.port, noDelay: true, ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
    let stage: 'connack' | 'suback' | 'open' = 'connack';
    const timer = setTimeout(() => fail(new Error(`no CONNACK/SUBACK within ${options.timeoutMs ?? 15000} ms`)), options.timeoutMs ?? 15000);
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    const client: RawClient = {
      socket,
      onFrame: () => {},
      afterData: () => {},
      closed,
      async close() {
        if (!socket.destroyed) socket.end(DISCONNECT);
        const deadline = setTimeout(() => socket.destroy(), 2000);
        await closed;
        clearTimeout(deadline);
      },
    };
    const fail = (error: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const reader = new FrameReader((type, bytes, start, end) => {
      if (stage === 'open') return client.onFrame(type, bytes, start, end);
      if (stage === 'connack') {
        if (type !== CONNACK || bytes[start + 3] !== 0) return fail(new Error(`CONNACK refused (${bytes[start + 3]})`));
        if (options.subscribe) {
          stage = 'suback';
          socket.write(subscribePacket(options.subscribe.filter, options.subscribe.qos));
          return;
        }
      } else if (type !== SUBACK) return;
      else if (bytes[start + 4] === 0x80) return fail(new Error(`SUBSCRIBE ${options.subscribe?.filter} refused`));
      stage = 'open';
      clearTimeout(timer);
      resolve(client);
    });
    socket.on('data', (chunk: Buffer) => {
      reader.push(chunk);
      if (stage === 'open') client.afterData();
    });
    socket.on('error', (error) => {
      if (stage !== 'open') fail(error);
    });
    socket.once('close', () => {
      if (stage !== 'open') fail(new Error('closed before CONNACK'));
    });
    socket.write(connectPacket(options));
  });
}

/** Opens `count` clients, at most `concurrency` at a time. */
export async function openClients(count: number, concurrency: number, make: (i: number) => Promise<RawClient>): Promise<RawClient[]> {
  const clients: RawClient[] = new Array<RawClient>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        clients[i] = await make(i);
      }
    }),
  );
  return clients;
}

export async function closeAll(clients: RawClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.close()));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits for a socket's write buffer to drain below `bytes`. */
export function whenWritable(socket: net.Socket, bytes = 64 * 1024): Promise<void> {
  if (socket.writableLength <= bytes || socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}
