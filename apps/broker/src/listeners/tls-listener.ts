import { createServer } from 'node:tls';
import { socketTransport } from './socket-transport.js';
import type { TransportHandler } from './transport.js';
import { listen, type Listener } from './listener.js';

/** MQTT over TLS (mqtts). */
export async function startTlsListener(host: string, port: number, tls: { cert: string; key: string }, onTransport: TransportHandler): Promise<Listener> {
  const server = createServer({ cert: tls.cert, key: tls.key }, (socket) => onTransport(socketTransport(socket, 'tls')));
  // A failed handshake is the client's problem, not the listener's.
  server.on('tlsClientError', () => {});
  return listen(server, 'mqtts', host, port);
}
