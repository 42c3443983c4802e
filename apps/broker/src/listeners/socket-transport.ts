import type { Socket } from 'node:net';
import type { Transport } from './transport.js';

/** A Transport over a net.Socket or tls.TLSSocket (with the verified client certificate's CN, if any). */
export function socketTransport(socket: Socket, kind: 'tcp' | 'tls', peerCommonName?: string): Transport {
  socket.setNoDelay(true);
  // Errors (ECONNRESET, ...) end in 'close'; the connection logs the close.
  socket.on('error', () => {});
  return {
    kind,
    remoteAddress: socket.remoteAddress ?? 'unknown',
    remotePort: socket.remotePort ?? 0,
    ...(peerCommonName !== undefined ? { peerCommonName } : {}),
    write: (bytes) => {
      if (!socket.destroyed) socket.write(bytes);
    },
    bufferedBytes: () => socket.writableLength,
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    end: () => {
      if (!socket.destroyed) socket.end();
      // A peer that never reads must not keep the socket open forever.
      setTimeout(() => socket.destroy(), 5000).unref();
    },
    destroy: () => socket.destroy(),
    onData: (listener) => socket.on('data', listener),
    onClose: (listener) => socket.once('close', listener),
    onDrain: (listener) => socket.on('drain', listener),
  };
}
