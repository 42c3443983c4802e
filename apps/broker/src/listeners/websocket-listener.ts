import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import { clientCertificateServerOptions, verifiedPeerCommonName, type ClientCertificateOptions } from './client-certificate.js';
import type { Transport, TransportHandler } from './transport.js';
import { listen, type Listener } from './listener.js';

function wsTransport(ws: WebSocket, request: IncomingMessage, kind: 'ws' | 'wss'): Transport {
  const socket = request.socket;
  ws.on('error', () => {});
  const drainListeners: Array<() => void> = [];
  const peerCommonName = kind === 'wss' ? verifiedPeerCommonName(socket as TLSSocket) : undefined;
  return {
    kind,
    remoteAddress: socket.remoteAddress ?? 'unknown',
    remotePort: socket.remotePort ?? 0,
    ...(peerCommonName !== undefined ? { peerCommonName } : {}),
    write: (bytes) => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(bytes, { binary: true }, () => {
        if (drainListeners.length > 0 && ws.bufferedAmount === 0) for (const l of drainListeners) l();
      });
    },
    bufferedBytes: () => ws.bufferedAmount,
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    end: () => {
      ws.close();
      // As for TCP: terminate a peer that does not answer the close, and drop the timer when it does.
      const timer = setTimeout(() => ws.terminate(), 5000);
      timer.unref();
      ws.once('close', () => clearTimeout(timer));
    },
    destroy: () => ws.terminate(),
    onData: (listener) =>
      ws.on('message', (data, isBinary) => {
        if (!isBinary) {
          // [MQTT-6.0.0-1] MQTT control packets must be sent in binary data frames.
          ws.close(1003, 'binary frames only');
          return;
        }
        listener(Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data));
      }),
    onClose: (listener) => ws.once('close', listener),
    onDrain: (listener) => drainListeners.push(listener),
  } as Transport;
}

/** MQTT over WebSocket (subprotocol "mqtt", path /mqtt), plain or TLS (optionally with client certificates). */
export async function startWebSocketListener(
  host: string,
  port: number,
  path: string,
  onTransport: TransportHandler,
  maxPacketSize: number,
  tls?: { cert: string; key: string; clientCertificates?: ClientCertificateOptions },
): Promise<Listener> {
  const notFound = (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end(`MQTT over WebSocket at ${path}\n`);
  };
  const server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key, ...clientCertificateServerOptions(tls.clientCertificates) }, notFound) : createHttpServer(notFound);
  const wss = new WebSocketServer({
    server,
    path,
    // [MQTT-6.0.0-3] / [MQTT-6.0.0-4] the subprotocol is "mqtt" (3.1 clients may ask for "mqttv3.1").
    handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : protocols.has('mqttv3.1') ? 'mqttv3.1' : false),
    perMessageDeflate: false,
    // A frame can't hold more than one maximum-size packet plus what follows it in a chunk.
    maxPayload: maxPacketSize * 2 + 1024,
  });
  wss.on('connection', (ws, request) => onTransport(wsTransport(ws, request, tls ? 'wss' : 'ws')));
  const listener = await listen(server, tls ? 'wss' : 'ws', host, port);
  return {
    ...listener,
    close: async () => {
      wss.close();
      await listener.close();
    },
  };
}
