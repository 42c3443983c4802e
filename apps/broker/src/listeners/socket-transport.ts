import type { Socket } from 'node:net';
import type { Transport } from './transport.js';

/**
 * A Transport over a net.Socket or tls.TLSSocket (with the verified client certificate's CN, if
 * any). A class rather than an object of closures: its methods live once on the prototype, not
 * once per connection (memory per idle client).
 */
class SocketTransport implements Transport {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly peerCommonName?: string;

  constructor(
    private readonly socket: Socket,
    readonly kind: 'tcp' | 'tls',
    peerCommonName: string | undefined,
  ) {
    socket.setNoDelay(true);
    // Errors (ECONNRESET, ...) end in 'close'; the connection logs the close.
    socket.on('error', ignore);
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.remotePort = socket.remotePort ?? 0;
    if (peerCommonName !== undefined) this.peerCommonName = peerCommonName;
  }

  write(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  bufferedBytes(): number {
    return this.socket.writableLength;
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  end(): void {
    const socket = this.socket;
    if (socket.destroyed) return;
    socket.end();
    // A peer that never reads must not keep the socket open forever. The timer goes with the
    // socket: left to run, it would hold every closed socket for 5 s (promoted to the old
    // generation, a cost per connection in a connect storm).
    const timer = setTimeout(() => socket.destroy(), 5000);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  }

  destroy(): void {
    this.socket.destroy();
  }

  onData(listener: (bytes: Buffer) => void): void {
    this.socket.on('data', listener);
  }

  onClose(listener: () => void): void {
    this.socket.once('close', listener);
  }

  onDrain(listener: () => void): void {
    this.socket.on('drain', listener);
  }
}

function ignore(): void {}

export function socketTransport(socket: Socket, kind: 'tcp' | 'tls', peerCommonName?: string): Transport {
  return new SocketTransport(socket, kind, peerCommonName);
}
