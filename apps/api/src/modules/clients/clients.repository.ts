import type { PrismaClient } from '@repo/db';

/** A client as the API shows it: connected ones from client_presence, offline persistent sessions from sessions. */
export interface ClientRow {
  clientId: string;
  username: string | null;
  connected: boolean;
  ip: string | null;
  port: number | null;
  protocolVersion: 3 | 4 | 5;
  keepAlive: number | null;
  cleanStart: boolean;
  sessionExpiryInterval: number;
  connectedAt: Date | null;
  disconnectedAt: Date | null;
  node: string | null;
  subscriptions: number;
  queued: number;
  inflight: number;
  dropped: number;
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Has a persistent session (a row in sessions). */
  persistent: boolean;
}

export type ClientSort = 'clientId' | 'connectedAt' | '-connectedAt';

export interface ClientFilter {
  connected?: boolean;
  username?: string;
  protocolVersion?: number;
  ip?: string;
  /** Substring of the client id. */
  q?: string;
  /** Only clients with a persistent session. */
  persistentOnly?: boolean;
  /** Only offline sessions that disconnected at or before this time. */
  disconnectedBefore?: Date;
}

/** Keyset position: the sort key of the last row (ISO time or null) and its client id. */
export interface ClientCursor {
  key: string | null;
  clientId: string;
}

/**
 * Presence rows not refreshed for this long belong to a node that died and has not restarted (a
 * live node rewrites its rows every few seconds, and removes them at start after a crash): their
 * clients are not shown as connected.
 */
export const PRESENCE_STALE_SECONDS = 60;
const FRESH = `p.updated_at > now() - interval '${PRESENCE_STALE_SECONDS} seconds'`;

// Every client in one relation: connected ones (presence rows, refreshed by their broker node),
// then persistent sessions without a connection (counts from their stored subscriptions and deliveries).
const CLIENTS = `
  SELECT p.client_id, p.username, true AS connected, p.ip, p.port, p.protocol_version, p.keep_alive, p.clean_start,
    p.session_expiry_interval, p.connected_at, NULL::timestamptz AS disconnected_at, p.node,
    p.subscriptions::bigint AS subscriptions, p.queued::bigint AS queued, p.inflight::bigint AS inflight, p.dropped,
    p.messages_in, p.messages_out, p.bytes_in, p.bytes_out, (s.client_id IS NOT NULL) AS persistent
  FROM client_presence p LEFT JOIN sessions s ON s.client_id = p.client_id
  WHERE ${FRESH}
  UNION ALL
  SELECT s.client_id, s.username, false, NULL::text, NULL::int, s.protocol_version, NULL::int, false,
    s.expiry_interval, NULL::timestamptz, s.disconnected_at, NULL::text,
    (SELECT count(*) FROM subscriptions x WHERE x.session_client_id = s.client_id),
    (SELECT count(*) FROM session_messages m WHERE m.session_client_id = s.client_id AND m.state = 'queued'),
    (SELECT count(*) FROM session_messages m WHERE m.session_client_id = s.client_id AND m.state <> 'queued'),
    0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint, true
  FROM sessions s WHERE NOT EXISTS (SELECT 1 FROM client_presence p WHERE p.client_id = s.client_id AND ${FRESH})`;

const SORT_KEY = `COALESCE(c.connected_at, '-infinity'::timestamptz)`;

interface RawClient {
  client_id: string;
  username: string | null;
  connected: boolean;
  ip: string | null;
  port: number | null;
  protocol_version: number;
  keep_alive: number | null;
  clean_start: boolean;
  session_expiry_interval: bigint | number;
  connected_at: Date | null;
  disconnected_at: Date | null;
  node: string | null;
  subscriptions: bigint | number;
  queued: bigint | number;
  inflight: bigint | number;
  dropped: bigint | number;
  messages_in: bigint | number;
  messages_out: bigint | number;
  bytes_in: bigint | number;
  bytes_out: bigint | number;
  persistent: boolean;
}

function toRow(raw: RawClient): ClientRow {
  return {
    clientId: raw.client_id,
    username: raw.username,
    connected: raw.connected,
    ip: raw.ip,
    port: raw.port,
    protocolVersion: raw.protocol_version as 3 | 4 | 5,
    keepAlive: raw.keep_alive,
    cleanStart: raw.clean_start,
    sessionExpiryInterval: Number(raw.session_expiry_interval),
    connectedAt: raw.connected_at,
    disconnectedAt: raw.disconnected_at,
    node: raw.node,
    subscriptions: Number(raw.subscriptions),
    queued: Number(raw.queued),
    inflight: Number(raw.inflight),
    dropped: Number(raw.dropped),
    messagesIn: Number(raw.messages_in),
    messagesOut: Number(raw.messages_out),
    bytesIn: Number(raw.bytes_in),
    bytesOut: Number(raw.bytes_out),
    persistent: raw.persistent,
  };
}

export interface QueuedMessageRow {
  topic: string;
  qos: number;
  payloadSize: number;
  enqueuedAt: Date;
}

export interface InflightMessageRow {
  packetId: number;
  topic: string;
  qos: number;
  state: 'publish' | 'pubrel';
}

export function createClientRepository(db: PrismaClient) {
  return {
    async list(filter: ClientFilter, sort: ClientSort, after: ClientCursor | undefined, limit: number): Promise<ClientRow[]> {
      const where: string[] = [];
      const params: unknown[] = [];
      const param = (value: unknown): string => {
        params.push(value);
        return `$${params.length}`;
      };
      if (filter.connected !== undefined) where.push(`c.connected = ${param(filter.connected)}`);
      if (filter.username !== undefined) where.push(`c.username = ${param(filter.username)}`);
      if (filter.protocolVersion !== undefined) where.push(`c.protocol_version = ${param(filter.protocolVersion)}`);
      if (filter.ip !== undefined) where.push(`c.ip = ${param(filter.ip)}`);
      if (filter.q !== undefined) where.push(`strpos(c.client_id, ${param(filter.q)}) > 0`);
      if (filter.persistentOnly) where.push('c.persistent');
      if (filter.disconnectedBefore !== undefined) where.push(`NOT c.connected AND c.disconnected_at <= ${param(filter.disconnectedBefore.toISOString())}::timestamptz`);
      let order: string;
      if (sort === 'clientId') {
        if (after) where.push(`c.client_id > ${param(after.clientId)}`);
        order = 'c.client_id ASC';
      } else {
        const direction = sort === 'connectedAt' ? 'ASC' : 'DESC';
        if (after) {
          const key = `COALESCE(${param(after.key)}::timestamptz, '-infinity'::timestamptz)`;
          where.push(`(${SORT_KEY}, c.client_id) ${direction === 'ASC' ? '>' : '<'} (${key}, ${param(after.clientId)})`);
        }
        order = `${SORT_KEY} ${direction}, c.client_id ${direction}`;
      }
      const sql = `SELECT c.* FROM (${CLIENTS}) c ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ${param(limit)}`;
      const rows = await db.$queryRawUnsafe<RawClient[]>(sql, ...params);
      return rows.map(toRow);
    },

    async get(clientId: string): Promise<ClientRow | null> {
      const rows = await db.$queryRawUnsafe<RawClient[]>(`SELECT c.* FROM (${CLIENTS}) c WHERE c.client_id = $1 ORDER BY c.connected DESC LIMIT 1`, clientId);
      return rows[0] ? toRow(rows[0]) : null;
    },

    presence: (clientId: string) => db.clientPresence.findUnique({ where: { clientId } }),

    session: (clientId: string) => db.session.findUnique({ where: { clientId }, select: { clientId: true, nodeId: true } }),

    subscriptions: (clientId: string) => db.subscription.findMany({ where: { sessionClientId: clientId }, orderBy: { topicFilter: 'asc' } }),

    async queued(clientId: string, limit: number): Promise<QueuedMessageRow[]> {
      const rows = await db.$queryRawUnsafe<Array<{ topic: string; qos: number; size: number; at: Date }>>(
        `SELECT m.topic, sm.qos, octet_length(m.payload) AS size, sm.created_at AS at
         FROM session_messages sm JOIN messages m ON m.id = sm.message_id
         WHERE sm.session_client_id = $1 AND sm.state = 'queued' ORDER BY sm.seq LIMIT $2`,
        clientId,
        limit,
      );
      return rows.map((r) => ({ topic: r.topic, qos: r.qos, payloadSize: Number(r.size), enqueuedAt: r.at }));
    },

    async inflight(clientId: string, limit: number): Promise<InflightMessageRow[]> {
      const rows = await db.$queryRawUnsafe<Array<{ topic: string; qos: number; packet_id: number | null; state: string }>>(
        `SELECT m.topic, sm.qos, sm.packet_id, sm.state
         FROM session_messages sm JOIN messages m ON m.id = sm.message_id
         WHERE sm.session_client_id = $1 AND sm.state <> 'queued' ORDER BY sm.seq LIMIT $2`,
        clientId,
        limit,
      );
      return rows.map((r) => ({ packetId: r.packet_id ?? 0, topic: r.topic, qos: r.qos, state: r.state === 'pubrel' ? 'pubrel' : 'publish' }));
    },

    /**
     * Deletes offline sessions no broker knew of (their subscriptions and deliveries cascade),
     * and the messages only they referred to. Sessions held by a node are left alone.
     */
    async deleteOfflineSessions(clientIds: string[]): Promise<number> {
      if (clientIds.length === 0) return 0;
      return db.$transaction(async (tx) => {
        const messages = await tx.$queryRawUnsafe<Array<{ message_id: bigint }>>(
          `SELECT DISTINCT sm.message_id FROM session_messages sm JOIN sessions s ON s.client_id = sm.session_client_id
           WHERE s.client_id = ANY($1::text[]) AND s.node_id IS NULL`,
          clientIds,
        );
        const deleted = await tx.$executeRawUnsafe(
          `DELETE FROM sessions s WHERE s.client_id = ANY($1::text[]) AND s.node_id IS NULL
             AND NOT EXISTS (SELECT 1 FROM client_presence p WHERE p.client_id = s.client_id)`,
          clientIds,
        );
        if (messages.length > 0) {
          await tx.$executeRawUnsafe(
            `DELETE FROM messages m WHERE m.id = ANY($1::bigint[])
               AND NOT EXISTS (SELECT 1 FROM session_messages sm WHERE sm.message_id = m.id)
               AND NOT EXISTS (SELECT 1 FROM inbound_qos2 i WHERE i.message_id = m.id)`,
            messages.map((m) => m.message_id.toString()),
          );
        }
        return deleted;
      });
    },

    createBan: (data: { value: string; reason: string; expiresAt: Date }) => db.ban.create({ data: { kind: 'client_id', ...data } }),
    removeBan: (id: string) => db.ban.delete({ where: { id } }).then(() => undefined),
  };
}

export type ClientRepository = ReturnType<typeof createClientRepository>;
