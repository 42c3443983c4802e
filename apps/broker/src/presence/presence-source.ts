import type { Transport } from '../listeners/transport.js';
import type { LiveConnection } from '../sessions/session-registry.js';
import type { Session } from '../sessions/session.js';

/** What presence reads from a live connection (Connection provides it). */
export interface PresenceSource extends LiveConnection {
  readonly protocolVersion: 3 | 4 | 5;
  readonly keepAliveSeconds: number;
  readonly cleanStart: boolean;
  readonly messagesIn: number;
  readonly messagesOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly transport: Pick<Transport, 'remoteAddress' | 'remotePort'>;
  readonly session: Session | null;
}

export function isPresenceSource(connection: LiveConnection): connection is PresenceSource {
  return 'bytesIn' in connection && 'transport' in connection;
}

/** One client_presence row, as written (times in ms since epoch). */
export interface PresenceRow {
  clientId: string;
  username: string | null;
  ip: string | null;
  port: number | null;
  protocolVersion: number;
  keepAlive: number;
  cleanStart: boolean;
  sessionExpiryInterval: number;
  connectedAt: number;
  subscriptions: number;
  queued: number;
  inflight: number;
  dropped: number;
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
}

/** `::ffff:1.2.3.4` is reported as 1.2.3.4. */
function displayAddress(address: string): string {
  return address.toLowerCase().startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

export function presenceRow(connection: PresenceSource, connectedAt: number): PresenceRow {
  const session = connection.session;
  return {
    clientId: connection.clientId,
    username: connection.principal?.username ?? null,
    ip: connection.transport.remoteAddress ? displayAddress(connection.transport.remoteAddress) : null,
    port: connection.transport.remotePort || null,
    protocolVersion: connection.protocolVersion,
    keepAlive: connection.keepAliveSeconds,
    cleanStart: connection.cleanStart,
    sessionExpiryInterval: session?.expiryInterval ?? 0,
    connectedAt,
    subscriptions: session?.subscriptions.size ?? 0,
    queued: session?.queue.length ?? 0,
    inflight: session?.inflight.size ?? 0,
    dropped: session?.droppedCount ?? 0,
    messagesIn: connection.messagesIn,
    messagesOut: connection.messagesOut,
    bytesIn: connection.bytesIn,
    bytesOut: connection.bytesOut,
  };
}
