import { createDb, type PrismaClient } from '@repo/db';
import pg from 'pg';
import type { MessageProperties, QoS } from '../model/message.js';
import type { RetainHandling, Subscription } from '../model/subscription.js';
import {
  namedWrites,
  type DeliveryState,
  type SessionStore,
  type StoredDelivery,
  type StoredMessage,
  type StoredSession,
  type StoredState,
  type StoredWill,
  type StoreWrite,
} from './session-store.js';
import { WriteBatcher, type WriteBatcherOptions } from './write-batcher.js';

export interface PostgresSessionStoreOptions extends Pick<WriteBatcherOptions, 'batchMs' | 'batchMax' | 'maxRetryMs'> {
  databaseUrl: string;
  poolSize?: number;
  /** Told when Postgres becomes unreachable (error) and reachable again (undefined). */
  onOutage?: (error: unknown | undefined) => void;
}

export interface PostgresSessionStore extends SessionStore {
  readonly batcher: WriteBatcher<StoreWrite>;
  readonly db: PrismaClient;
}

/**
 * SessionStore on PostgreSQL through Prisma (@repo/db): writes go through a WriteBatcher and each
 * batch is one transaction. Within a batch, writes are folded to their net effect per row, then
 * applied as a few set-based statements (jsonb_to_recordset), in an order that respects the
 * foreign keys.
 */
export function createPostgresSessionStore(options: PostgresSessionStoreOptions): PostgresSessionStore {
  const db = createDb(options.databaseUrl, options.poolSize !== undefined ? { poolSize: options.poolSize } : {});
  const commits = createCommitPool(options.databaseUrl);
  const batcher = new WriteBatcher<StoreWrite>((batch) => commitBatch(commits, batch), {
    ...options,
    ...(options.onOutage ? { onOutage: options.onOutage } : {}),
    // A failed batch is retried while Postgres does not answer at all; a batch Postgres refuses
    // while answering is at fault itself and is rejected.
    isOutage: async () => {
      try {
        await db.$queryRawUnsafe('SELECT 1');
        return false;
      } catch {
        return true;
      }
    },
  });
  return {
    ...namedWrites((w) => batcher.enqueue(w)),
    batcher,
    db,
    load: () => loadState(db),
    health: () => ({ reachable: !batcher.degraded, pendingWrites: batcher.size }),
    probe: (timeoutMs) => probeDatabase(db, timeoutMs),
    observeBatches(observer) {
      batcher.onCommitted = observer;
    },
    async close() {
      try {
        await batcher.close();
      } finally {
        await db.$disconnect();
        await commits.end();
      }
    },
  };
}

/** SELECT 1 within `timeoutMs`: false when Postgres does not answer in time. */
async function probeDatabase(db: PrismaClient, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([db.$queryRawUnsafe('SELECT 1').then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The net effect of a batch, per row. */
interface Plan {
  sessionDeletes: Set<string>;
  sessionUpserts: Map<string, StoredSession>;
  subscriptions: Map<string, { clientId: string; topicFilter: string; subscription: Subscription | null }>;
  messageAdds: Map<number, StoredMessage>;
  messageDeletes: Set<number>;
  deliveryAdds: Map<number, StoredDelivery>;
  deliveryUpdates: Map<number, { clientId: string; state: DeliveryState; packetId: number | undefined }>;
  deliveryDeletes: Set<number>;
  inbound: Map<string, { clientId: string; packetId: number; present: boolean }>;
  retained: Map<string, StoredMessage | null>;
  wills: Map<string, StoredWill | null>;
}

export function planBatch(batch: StoreWrite[]): Plan {
  const plan: Plan = {
    sessionDeletes: new Set(),
    sessionUpserts: new Map(),
    subscriptions: new Map(),
    messageAdds: new Map(),
    messageDeletes: new Set(),
    deliveryAdds: new Map(),
    deliveryUpdates: new Map(),
    deliveryDeletes: new Set(),
    inbound: new Map(),
    retained: new Map(),
    wills: new Map(),
  };
  for (const w of batch) {
    switch (w.kind) {
      case 'session-delete': {
        // The row and everything cascading from it go; earlier writes to them in this batch are moot.
        plan.sessionDeletes.add(w.clientId);
        plan.sessionUpserts.delete(w.clientId);
        for (const [k, v] of plan.subscriptions) if (v.clientId === w.clientId) plan.subscriptions.delete(k);
        for (const [k, v] of plan.deliveryAdds) if (v.clientId === w.clientId) plan.deliveryAdds.delete(k);
        for (const [k, v] of plan.deliveryUpdates) if (v.clientId === w.clientId) plan.deliveryUpdates.delete(k);
        for (const [k, v] of plan.inbound) if (v.clientId === w.clientId) plan.inbound.delete(k);
        break;
      }
      case 'session-upsert':
        plan.sessionUpserts.set(w.session.clientId, w.session);
        break;
      case 'subscription-add':
        plan.subscriptions.set(`${w.clientId}\u0000${w.subscription.topicFilter}`, { clientId: w.clientId, topicFilter: w.subscription.topicFilter, subscription: w.subscription });
        break;
      case 'subscription-remove':
        plan.subscriptions.set(`${w.clientId}\u0000${w.topicFilter}`, { clientId: w.clientId, topicFilter: w.topicFilter, subscription: null });
        break;
      case 'message-add':
        plan.messageAdds.set(w.message.id, w.message);
        plan.messageDeletes.delete(w.message.id);
        break;
      case 'message-delete':
        if (!plan.messageAdds.delete(w.id)) plan.messageDeletes.add(w.id);
        break;
      case 'delivery-add':
        plan.deliveryAdds.set(w.delivery.id, { ...w.delivery });
        break;
      case 'delivery-update': {
        const added = plan.deliveryAdds.get(w.id);
        if (added) {
          added.state = w.state;
          added.packetId = w.packetId;
        } else plan.deliveryUpdates.set(w.id, { clientId: w.clientId, state: w.state, packetId: w.packetId });
        break;
      }
      case 'delivery-delete':
        plan.deliveryUpdates.delete(w.id);
        if (!plan.deliveryAdds.delete(w.id)) plan.deliveryDeletes.add(w.id);
        break;
      case 'inbound-qos2-add':
      case 'inbound-qos2-delete':
        plan.inbound.set(`${w.clientId}\u0000${w.packetId}`, { clientId: w.clientId, packetId: w.packetId, present: w.kind === 'inbound-qos2-add' });
        break;
      case 'retained-set':
        plan.retained.set(w.message.topic, w.message);
        break;
      case 'retained-delete':
        plan.retained.set(w.topic, null);
        break;
      case 'will-put':
        plan.wills.set(w.will.clientId, w.will);
        break;
      case 'will-delete':
        plan.wills.set(w.clientId, null);
        break;
    }
  }
  return plan;
}

type Tx = { $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number> };

/**
 * One connection for batch commits, beside Prisma's pool: a batch goes to Postgres as one
 * multi-statement query, i.e. one round trip and one implicit transaction, where an interactive
 * transaction through Prisma took a round trip per statement plus BEGIN and COMMIT (profiles of
 * the durable QoS 1 benchmark: the commit latency, not CPU, bounded the rate).
 */
function createCommitPool(databaseUrl: string): pg.Pool {
  const parsed = new URL(databaseUrl);
  const schema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  const pool = new pg.Pool({ connectionString: parsed.toString(), max: 1, ...(schema ? { options: `-c search_path=${pg.escapeIdentifier(schema)}` } : {}) });
  // An idle connection lost while Postgres is down: the next commit fails and is retried.
  pool.on('error', () => {});
  return pool;
}

/** A parameter as an SQL literal (strings escaped by node-postgres; arrays as array literals). */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) {
    const items = value.map((v) => (typeof v === 'number' || typeof v === 'bigint' ? String(v) : `"${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`));
    return pg.escapeLiteral(`{${items.join(',')}}`);
  }
  return pg.escapeLiteral(String(value));
}

async function commitBatch(pool: pg.Pool, batch: StoreWrite[]): Promise<void> {
  const plan = planBatch(batch);
  const statements: string[] = [];
  await applyPlan(
    {
      $executeRawUnsafe: (sql, ...params) => {
        statements.push(sql.replace(/\$(\d+)/g, (_, n: string) => literal(params[Number(n) - 1])));
        return Promise.resolve(0);
      },
    },
    plan,
  );
  if (statements.length === 0) return;
  // A simple query of several statements runs as one transaction: all of the batch or none.
  await pool.query(statements.join(';\n'));
}

const json = (rows: unknown[]): string => JSON.stringify(rows);

async function applyPlan(tx: Tx, plan: Plan): Promise<void> {
  const exec = (sql: string, ...params: unknown[]): Promise<number> => tx.$executeRawUnsafe(sql, ...params);

  if (plan.sessionDeletes.size > 0) {
    // Deliveries and inbound QoS 2 ids cascade; their messages are deleted by message-delete writes.
    await exec(`DELETE FROM sessions WHERE client_id = ANY($1::text[])`, [...plan.sessionDeletes]);
  }
  if (plan.sessionUpserts.size > 0) {
    const rows = [...plan.sessionUpserts.values()].map((s) => ({
      c: s.clientId,
      e: s.expiryInterval,
      v: s.protocolVersion,
      u: s.username ?? null,
      n: s.nodeId ?? null,
      d: s.disconnectedAt ?? null,
      wt: s.will?.topic ?? null,
      wp: s.will ? s.will.payload.toString('base64') : null,
      wq: s.will?.qos ?? null,
      wr: s.will?.retain ?? null,
      wpr: s.will ? encodeProperties(s.will.properties) : null,
      wd: s.will?.delayInterval ?? null,
    }));
    await exec(
      `INSERT INTO sessions (client_id, expiry_interval, protocol_version, username, node_id, disconnected_at, updated_at,
         will_topic, will_payload, will_qos, will_retain, will_properties, will_delay_interval)
       SELECT x.c, x.e, x.v, x.u, x.n, CASE WHEN x.d IS NULL THEN NULL ELSE to_timestamp(x.d / 1000.0) END, now(),
         x.wt, decode(x.wp, 'base64'), x.wq, x.wr, x.wpr, x.wd
       FROM jsonb_to_recordset($1::jsonb) AS x(c text, e bigint, v int, u text, n text, d double precision,
         wt text, wp text, wq int, wr boolean, wpr jsonb, wd bigint)
       ON CONFLICT (client_id) DO UPDATE SET expiry_interval = EXCLUDED.expiry_interval, protocol_version = EXCLUDED.protocol_version,
         username = EXCLUDED.username, node_id = EXCLUDED.node_id, disconnected_at = EXCLUDED.disconnected_at, updated_at = now(),
         will_topic = EXCLUDED.will_topic, will_payload = EXCLUDED.will_payload, will_qos = EXCLUDED.will_qos,
         will_retain = EXCLUDED.will_retain, will_properties = EXCLUDED.will_properties, will_delay_interval = EXCLUDED.will_delay_interval`,
      json(rows),
    );
  }
  const subs = [...plan.subscriptions.values()];
  const subRemoves = subs.filter((s) => s.subscription === null).map((s) => ({ c: s.clientId, f: s.topicFilter }));
  const subAdds = subs.flatMap((s) =>
    s.subscription
      ? [{
          c: s.clientId,
          f: s.topicFilter,
          q: s.subscription.qos,
          nl: s.subscription.noLocal,
          rap: s.subscription.retainAsPublished,
          rh: s.subscription.retainHandling,
          si: s.subscription.subscriptionIdentifier ?? null,
        }]
      : [],
  );
  if (subRemoves.length > 0) {
    await exec(
      `DELETE FROM subscriptions s USING jsonb_to_recordset($1::jsonb) AS x(c text, f text) WHERE s.session_client_id = x.c AND s.topic_filter = x.f`,
      json(subRemoves),
    );
  }
  if (subAdds.length > 0) {
    await exec(
      `INSERT INTO subscriptions (session_client_id, topic_filter, qos, no_local, retain_as_published, retain_handling, subscription_identifier)
       SELECT x.c, x.f, x.q, x.nl, x.rap, x.rh, x.si
       FROM jsonb_to_recordset($1::jsonb) AS x(c text, f text, q int, nl boolean, rap boolean, rh int, si int)
       JOIN sessions ON sessions.client_id = x.c
       ON CONFLICT (session_client_id, topic_filter) DO UPDATE SET qos = EXCLUDED.qos, no_local = EXCLUDED.no_local,
         retain_as_published = EXCLUDED.retain_as_published, retain_handling = EXCLUDED.retain_handling,
         subscription_identifier = EXCLUDED.subscription_identifier`,
      json(subAdds),
    );
  }
  if (plan.messageAdds.size > 0) {
    const rows = [...plan.messageAdds.values()].map((m) => ({
      id: m.id,
      t: m.topic,
      p: m.payload.toString('base64'),
      q: m.qos,
      r: m.retain,
      pr: encodeProperties(m.properties),
      pc: m.publisherClientId ?? null,
      ca: m.createdAt,
      ea: m.expiresAt ?? null,
    }));
    await exec(
      `INSERT INTO messages (id, topic, payload, qos, retain, properties, publisher_client_id, created_at, expires_at)
       SELECT x.id, x.t, decode(x.p, 'base64'), x.q, x.r, x.pr, x.pc, to_timestamp(x.ca / 1000.0),
         CASE WHEN x.ea IS NULL THEN NULL ELSE to_timestamp(x.ea / 1000.0) END
       FROM jsonb_to_recordset($1::jsonb) AS x(id bigint, t text, p text, q int, r boolean, pr jsonb, pc text, ca double precision, ea double precision)
       ON CONFLICT (id) DO NOTHING`,
      json(rows),
    );
  }
  if (plan.deliveryAdds.size > 0) {
    const rows = [...plan.deliveryAdds.values()].map((d) => ({
      id: d.id,
      c: d.clientId,
      m: d.messageId,
      s: d.state,
      pid: d.packetId ?? null,
      q: d.qos,
      r: d.retain,
      si: d.subscriptionIdentifiers,
    }));
    await exec(
      `INSERT INTO session_messages (seq, session_client_id, message_id, state, packet_id, qos, retain, subscription_ids)
       SELECT x.id, x.c, x.m, x.s, x.pid, x.q, x.r, x.si
       FROM jsonb_to_recordset($1::jsonb) AS x(id bigint, c text, m bigint, s text, pid int, q int, r boolean, si int[])
       JOIN sessions ON sessions.client_id = x.c
       ON CONFLICT (seq) DO NOTHING`,
      json(rows),
    );
  }
  if (plan.deliveryUpdates.size > 0) {
    const rows = [...plan.deliveryUpdates].map(([id, u]) => ({ id, s: u.state, pid: u.packetId ?? null }));
    await exec(
      `UPDATE session_messages sm SET state = x.s, packet_id = x.pid
       FROM jsonb_to_recordset($1::jsonb) AS x(id bigint, s text, pid int) WHERE sm.seq = x.id`,
      json(rows),
    );
  }
  if (plan.deliveryDeletes.size > 0) {
    await exec(`DELETE FROM session_messages WHERE seq = ANY($1::bigint[])`, [...plan.deliveryDeletes]);
  }
  if (plan.inbound.size > 0) {
    const all = [...plan.inbound.values()];
    const removes = all.filter((i) => !i.present).map((i) => ({ c: i.clientId, p: i.packetId }));
    const adds = all.filter((i) => i.present).map((i) => ({ c: i.clientId, p: i.packetId }));
    if (removes.length > 0) {
      await exec(
        `DELETE FROM inbound_qos2 i USING jsonb_to_recordset($1::jsonb) AS x(c text, p int) WHERE i.session_client_id = x.c AND i.packet_id = x.p`,
        json(removes),
      );
    }
    if (adds.length > 0) {
      await exec(
        `INSERT INTO inbound_qos2 (session_client_id, packet_id)
         SELECT x.c, x.p FROM jsonb_to_recordset($1::jsonb) AS x(c text, p int) JOIN sessions ON sessions.client_id = x.c
         ON CONFLICT DO NOTHING`,
        json(adds),
      );
    }
  }
  if (plan.retained.size > 0) {
    const entries = [...plan.retained];
    const deletes = entries.filter(([, m]) => m === null).map(([topic]) => topic);
    const sets = entries.flatMap(([, m]) =>
      m
        ? [{
            t: m.topic,
            p: m.payload.toString('base64'),
            q: m.qos,
            pr: encodeProperties(m.properties),
            pc: m.publisherClientId ?? '',
            pu: m.publisherUsername ?? null,
            ca: m.createdAt,
            ea: m.expiresAt ?? null,
          }]
        : [],
    );
    if (deletes.length > 0) await exec(`DELETE FROM retained_messages WHERE topic = ANY($1::text[])`, deletes);
    if (sets.length > 0) {
      await exec(
        `INSERT INTO retained_messages (topic, payload, qos, properties, publisher_client_id, publisher_username, created_at, expires_at)
         SELECT x.t, decode(x.p, 'base64'), x.q, x.pr, x.pc, x.pu, to_timestamp(x.ca / 1000.0),
           CASE WHEN x.ea IS NULL THEN NULL ELSE to_timestamp(x.ea / 1000.0) END
         FROM jsonb_to_recordset($1::jsonb) AS x(t text, p text, q int, pr jsonb, pc text, pu text, ca double precision, ea double precision)
         ON CONFLICT (topic) DO UPDATE SET payload = EXCLUDED.payload, qos = EXCLUDED.qos, properties = EXCLUDED.properties,
           publisher_client_id = EXCLUDED.publisher_client_id, publisher_username = EXCLUDED.publisher_username,
           created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at`,
        json(sets),
      );
    }
  }
  if (plan.wills.size > 0) {
    const entries = [...plan.wills];
    const deletes = entries.filter(([, w]) => w === null).map(([clientId]) => clientId);
    const puts = entries.flatMap(([, w]) =>
      w
        ? [{
            c: w.clientId,
            t: w.topic,
            p: w.payload.toString('base64'),
            q: w.qos,
            r: w.retain,
            pr: encodeProperties(w.properties),
            u: w.username ?? null,
            at: w.publishAt,
          }]
        : [],
    );
    if (deletes.length > 0) await exec(`DELETE FROM delayed_wills WHERE client_id = ANY($1::text[])`, deletes);
    if (puts.length > 0) {
      await exec(
        `INSERT INTO delayed_wills (client_id, topic, payload, qos, retain, properties, username, publish_at)
         SELECT x.c, x.t, decode(x.p, 'base64'), x.q, x.r, x.pr, x.u, to_timestamp(x.at / 1000.0)
         FROM jsonb_to_recordset($1::jsonb) AS x(c text, t text, p text, q int, r boolean, pr jsonb, u text, at double precision)
         ON CONFLICT (client_id) DO UPDATE SET topic = EXCLUDED.topic, payload = EXCLUDED.payload, qos = EXCLUDED.qos,
           retain = EXCLUDED.retain, properties = EXCLUDED.properties, username = EXCLUDED.username, publish_at = EXCLUDED.publish_at`,
        json(puts),
      );
    }
  }
  if (plan.messageDeletes.size > 0) {
    await exec(
      `DELETE FROM messages m WHERE m.id = ANY($1::bigint[])
         AND NOT EXISTS (SELECT 1 FROM session_messages sm WHERE sm.message_id = m.id)`,
      [...plan.messageDeletes],
    );
  }
}

/** MQTT 5 properties as JSON: Correlation Data (binary) travels as base64. */
function encodeProperties(properties: MessageProperties & { messageExpiryInterval?: number }): Record<string, unknown> | null {
  const keys = Object.keys(properties);
  if (keys.length === 0) return null;
  const out: Record<string, unknown> = { ...properties };
  if (properties.correlationData) out.correlationData = { base64: Buffer.from(properties.correlationData).toString('base64') };
  return out;
}

function decodeProperties(value: unknown): MessageProperties & { messageExpiryInterval?: number } {
  if (value === null || typeof value !== 'object') return {};
  const out = { ...(value as Record<string, unknown>) };
  const cd = out.correlationData as { base64?: string } | undefined;
  if (cd && typeof cd.base64 === 'string') out.correlationData = Buffer.from(cd.base64, 'base64');
  return out as MessageProperties;
}

const ms = (d: Date | null): number | undefined => (d ? d.getTime() : undefined);

async function loadState(db: PrismaClient): Promise<StoredState> {
  const [sessions, subscriptions, deliveries, inbound, retained, wills, maxIds] = await Promise.all([
    db.session.findMany(),
    db.subscription.findMany({ orderBy: { createdAt: 'asc' } }),
    db.sessionMessage.findMany({ orderBy: { seq: 'asc' } }),
    db.inboundQos2.findMany(),
    db.retainedMessage.findMany(),
    db.delayedWill.findMany(),
    db.$queryRawUnsafe<Array<{ m: bigint | null; d: bigint | null }>>(
      `SELECT (SELECT max(id) FROM messages) AS m, (SELECT max(seq) FROM session_messages) AS d`,
    ),
  ]);
  const messageIds = [...new Set(deliveries.map((d) => d.messageId))];
  const messages = new Map<number, StoredMessage>();
  for (let i = 0; i < messageIds.length; i += 10000) {
    const rows = await db.message.findMany({ where: { id: { in: messageIds.slice(i, i + 10000) } } });
    for (const m of rows) {
      messages.set(Number(m.id), {
        id: Number(m.id),
        topic: m.topic,
        payload: Buffer.from(m.payload),
        qos: m.qos as QoS,
        retain: m.retain,
        properties: decodeProperties(m.properties),
        publisherClientId: m.publisherClientId ?? undefined,
        publisherUsername: undefined,
        createdAt: m.createdAt.getTime(),
        expiresAt: ms(m.expiresAt),
      });
    }
  }
  const byClient = new Map<string, StoredState['sessions'][number]>();
  for (const s of sessions) {
    byClient.set(s.clientId, {
      clientId: s.clientId,
      expiryInterval: Number(s.expiryInterval),
      protocolVersion: s.protocolVersion as 3 | 4 | 5,
      username: s.username ?? undefined,
      nodeId: s.nodeId ?? undefined,
      disconnectedAt: ms(s.disconnectedAt),
      will:
        s.willTopic !== null && s.willPayload !== null
          ? {
              topic: s.willTopic,
              payload: Buffer.from(s.willPayload),
              qos: (s.willQos ?? 0) as QoS,
              retain: s.willRetain ?? false,
              properties: decodeProperties(s.willProperties),
              delayInterval: Number(s.willDelayInterval ?? 0),
            }
          : undefined,
      subscriptions: [],
      deliveries: [],
      inboundQos2: [],
    });
  }
  for (const sub of subscriptions) {
    byClient.get(sub.sessionClientId)?.subscriptions.push({
      topicFilter: sub.topicFilter,
      qos: sub.qos as QoS,
      noLocal: sub.noLocal,
      retainAsPublished: sub.retainAsPublished,
      retainHandling: sub.retainHandling as RetainHandling,
      subscriptionIdentifier: sub.subscriptionIdentifier ?? undefined,
    });
  }
  for (const d of deliveries) {
    byClient.get(d.sessionClientId)?.deliveries.push({
      id: Number(d.seq),
      clientId: d.sessionClientId,
      messageId: Number(d.messageId),
      qos: d.qos as QoS,
      retain: d.retain,
      subscriptionIdentifiers: d.subscriptionIds,
      state: d.state as DeliveryState,
      packetId: d.packetId ?? undefined,
    });
  }
  for (const i of inbound) byClient.get(i.sessionClientId)?.inboundQos2.push(i.packetId);
  const toMessage = (r: (typeof retained)[number]): StoredMessage => ({
    id: 0,
    topic: r.topic,
    payload: Buffer.from(r.payload),
    qos: r.qos as QoS,
    retain: true,
    properties: decodeProperties(r.properties),
    publisherClientId: r.publisherClientId || undefined,
    publisherUsername: r.publisherUsername ?? undefined,
    createdAt: r.createdAt.getTime(),
    expiresAt: ms(r.expiresAt),
  });
  return {
    sessions: [...byClient.values()],
    messages,
    retained: retained.map(toMessage),
    wills: wills.map((w) => ({
      clientId: w.clientId,
      topic: w.topic,
      payload: Buffer.from(w.payload),
      qos: w.qos as QoS,
      retain: w.retain,
      properties: decodeProperties(w.properties),
      username: w.username ?? undefined,
      publishAt: w.publishAt.getTime(),
    })),
    maxMessageId: Number(maxIds[0]?.m ?? 0),
    maxDeliveryId: Number(maxIds[0]?.d ?? 0),
  };
}
