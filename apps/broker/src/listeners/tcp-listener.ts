import { createServer, type Server } from 'node:net';
import { socketTransport } from './socket-transport.js';
import type { TransportHandler } from './transport.js';
import { listen, type Listener } from './listener.js';

/** MQTT over plain TCP. */
export async function startTcpListener(host: string, port: number, onTransport: TransportHandler): Promise<Listener> {
  const server: Server = createServer((socket) => onTransport(socketTransport(socket, 'tcp')));
  return listen(server, 'mqtt', host, port);
}
