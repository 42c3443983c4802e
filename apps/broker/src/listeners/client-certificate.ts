import type { TLSSocket } from 'node:tls';

/** The TLS server options that ask for (and, if required, insist on) a client certificate from `ca`. */
export interface ClientCertificateOptions {
  /** PEM of the accepted CA(s). */
  ca: string;
  /** Without a certificate from `ca`, the handshake fails. */
  required: boolean;
}

export function clientCertificateServerOptions(options: ClientCertificateOptions | undefined): { ca?: string; requestCert: boolean; rejectUnauthorized: boolean } {
  if (!options) return { requestCert: false, rejectUnauthorized: false };
  return { ca: options.ca, requestCert: true, rejectUnauthorized: options.required };
}

/** CN of the peer's certificate when the handshake verified it against the CA; otherwise undefined. */
export function verifiedPeerCommonName(socket: TLSSocket): string | undefined {
  if (!socket.authorized) return undefined;
  const cn = socket.getPeerCertificate().subject?.CN;
  // Several CNs (an unusual certificate) name no single user.
  return typeof cn === 'string' && cn !== '' ? cn : undefined;
}
