import { createServer } from 'node:tls';
import { clientCertificateServerOptions, verifiedPeerCommonName, type ClientCertificateOptions } from './client-certificate.js';
import { socketTransport } from './socket-transport.js';
import type { TransportHandler } from './transport.js';
import { listen, type Listener } from './listener.js';

/** MQTT over TLS (mqtts), optionally asking clients for a certificate from a CA. */
export async function startTlsListener(
  host: string,
  port: number,
  tls: { cert: string; key: string; clientCertificates?: ClientCertificateOptions },
  onTransport: TransportHandler,
): Promise<Listener> {
  const server = createServer({ cert: tls.cert, key: tls.key, ...clientCertificateServerOptions(tls.clientCertificates) }, (socket) =>
    onTransport(socketTransport(socket, 'tls', verifiedPeerCommonName(socket))),
  );
  // A failed handshake is the client's problem, not the listener's.
  server.on('tlsClientError', () => {});
  return listen(server, 'mqtts', host, port);
}
