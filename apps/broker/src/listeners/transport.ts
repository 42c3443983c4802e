/**
 * A byte stream to one client, whatever carries it (TCP, TLS, WebSocket). Listeners produce
 * transports; connections speak MQTT over them. No MQTT semantics here.
 */
export interface Transport {
  readonly kind: 'tcp' | 'tls' | 'ws' | 'wss';
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** CN of the client certificate, only when the TLS handshake verified it against the configured CA. */
  readonly peerCommonName?: string;
  write(bytes: Buffer): void;
  /** Bytes accepted by write() and not yet handed to the kernel. */
  bufferedBytes(): number;
  pause(): void;
  resume(): void;
  /** Flushes what was written, then closes. */
  end(): void;
  /** Closes now. */
  destroy(): void;
  onData(listener: (bytes: Buffer) => void): void;
  onClose(listener: () => void): void;
  /** Called when the transport can take more data after bufferedBytes() was high. */
  onDrain(listener: () => void): void;
}

export type TransportHandler = (transport: Transport) => void;
