import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDefaultAuthorizer, type Authorizer } from '../../src/auth/authorizer.js';
import { createLogger } from '../../src/observability/logger.js';
import { createPostgresTracing, type PostgresTracing } from '../../src/tracing/postgres-tracing.js';
import { pruneTraces } from '../../src/tracing/trace-store.js';
import type { TraceFilter } from '../../src/tracing/trace-spec.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { closeAllClients, connectClient, sleep } from '../helpers/clients.js';
import { createMigratedDatabase } from '../helpers/postgres.js';

interface EventRow {
  seq: number;
  type: string;
  client_id: string | null;
  message_id: string | null;
  topic: string | null;
  qos: number | null;
  packet_id: number | null;
  reason: string | null;
  detail: Record<string, unknown>;
}

/** Publishing under guarded/secret and receiving from guarded/revoked are refused (ACL denials). */
const authorizer: Authorizer = {
  ...createDefaultAuthorizer(),
  canPublish: (_principal, topic) => !topic.startsWith('guarded/secret'),
  canReceive: (_principal, topic) => !topic.startsWith('guarded/revoked'),
};

describe('message tracing (real broker, real Postgres)', () => {
  let databaseUrl: string;
  let pool: pg.Pool;
  let tracing: PostgresTracing;
  let broker: TestBroker;
  let traceCounter = 0;

  beforeAll(async () => {
    databaseUrl = await createMigratedDatabase('tracing');
    pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    tracing = await createPostgresTracing({ databaseUrl, nodeId: 'node-test', log: createLogger('silent'), batchMs: 10 });
    broker = await startTestBroker({ maxQueuedMessages: 2, queueDropPolicy: 'drop-oldest' }, { tracer: tracing.tracer, authorizer });
  });
  afterEach(async () => {
    await closeAllClients();
  });
  afterAll(async () => {
    await broker?.close();
    await tracing?.close();
    await pool?.end();
  });

  /** Inserts a running trace (as the API does) and reloads, as the tracesChanged NOTIFY does. */
  async function startTrace(filter: TraceFilter, options: { durationMs?: number; maxEvents?: number; payloadCaptureBytes?: number } = {}): Promise<string> {
    const id = `00000000-0000-4000-8000-${String(++traceCounter).padStart(12, '0')}`;
    await pool.query(
      `INSERT INTO traces (id, name, filter, ends_at, payload_capture_bytes, payload_encoding, max_events)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4), $5, 'text', $6)`,
      [id, `test ${traceCounter}`, JSON.stringify(filter), (options.durationMs ?? 600_000) / 1000, options.payloadCaptureBytes ?? 16, options.maxEvents ?? 10_000],
    );
    await tracing.reload();
    return id;
  }

  async function stopTrace(id: string): Promise<void> {
    await pool.query(`UPDATE traces SET status = 'stopped', stopped_at = now() WHERE id = $1`, [id]);
    await tracing.reload();
  }

  async function events(traceId: string): Promise<EventRow[]> {
    await tracing.writer.flush();
    const { rows } = await pool.query<EventRow>(
      'SELECT seq, type, client_id, message_id, topic, qos, packet_id, reason, detail FROM trace_events WHERE trace_id = $1 ORDER BY seq',
      [traceId],
    );
    return rows;
  }

  /** Polls the stored events until `done` holds (generous deadline: the machine is shared). */
  async function eventsUntil(traceId: string, done: (rows: EventRow[]) => boolean, what: string): Promise<EventRow[]> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const rows = await events(traceId);
      if (done(rows)) return rows;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(rows.map((r) => [r.type, r.client_id, r.reason]))}`);
      await sleep(50);
    }
  }

  it('a trace on a client id records the whole journey of a QoS 1 and a QoS 2 message to two subscribers (one shared) with acks', async () => {
    const traceId = await startTrace({ clientId: 'journey-pub*' });
    const direct = await connectClient(broker.url, { clientId: 'journey-sub-direct' });
    const shared = await connectClient(broker.url, { clientId: 'journey-sub-shared' });
    await direct.subscribeAsync('journey/#', { qos: 2 });
    await shared.subscribeAsync('$share/g1/journey/#', { qos: 2 });
    const received: string[] = [];
    direct.on('message', (topic) => received.push(`direct ${topic}`));
    shared.on('message', (topic) => received.push(`shared ${topic}`));
    const publisher = await connectClient(broker.url, { clientId: 'journey-pub-1' });
    await publisher.publishAsync('journey/q1', 'hello one', { qos: 1 });
    await publisher.publishAsync('journey/q2', 'hello two', { qos: 2 });

    const complete = (rows: EventRow[]): boolean =>
      rows.filter((r) => r.type === 'puback').length === 2 && rows.filter((r) => r.type === 'pubcomp').length === 2 && rows.some((r) => r.type === 'pubrel');
    const rows = await eventsUntil(traceId, complete, 'acks of both messages');

    // The subscribers are not selected by the trace: their CONNECT and SUBSCRIBE are not recorded.
    expect(rows.filter((r) => r.type === 'connect').map((r) => r.client_id)).toEqual(['journey-pub-1']);
    expect(rows.find((r) => r.type === 'connack')).toMatchObject({ client_id: 'journey-pub-1', reason: 'success' });
    expect(rows.some((r) => r.type === 'subscribe')).toBe(false);

    const received1 = rows.find((r) => r.type === 'publish_received' && r.qos === 1)!;
    const received2 = rows.find((r) => r.type === 'publish_received' && r.qos === 2)!;
    expect(received1).toMatchObject({ client_id: 'journey-pub-1', topic: 'journey/q1' });
    expect(received1.detail).toMatchObject({ size: 9, retain: false, payload: 'hello one' });
    expect(received1.message_id).not.toBe(received2.message_id);

    for (const [message, qos, acks] of [
      [received1, 1, ['puback']],
      [received2, 2, ['pubrec', 'pubcomp']],
    ] as const) {
      const journey = rows.filter((r) => r.message_id === message.message_id);
      const deliveries = journey.filter((r) => r.type === 'delivery');
      expect(deliveries.map((d) => d.client_id).sort()).toEqual(['journey-sub-direct', 'journey-sub-shared']);
      for (const delivery of deliveries) expect(delivery).toMatchObject({ qos, topic: message.topic });
      expect(deliveries.find((d) => d.client_id === 'journey-sub-shared')!.detail).toMatchObject({ shareName: 'g1' });
      const routed = journey.find((r) => r.type === 'routed')!;
      expect(routed.detail).toMatchObject({ matched: 2, shared: [{ shareName: 'g1', topicFilter: 'journey/#', clientId: 'journey-sub-shared' }] });
      for (const ack of acks) {
        const acked = journey.filter((r) => r.type === ack);
        expect(acked.map((a) => a.client_id).sort(), ack).toEqual(['journey-sub-direct', 'journey-sub-shared']);
        for (const a of acked) {
          // The ack carries the packet identifier of its delivery to that subscriber, and how long it took.
          const delivery = deliveries.find((d) => d.client_id === a.client_id)!;
          expect(a.packet_id).toBe(delivery.packet_id);
          expect(typeof a.detail.elapsedMs).toBe('number');
          expect(a.seq).toBeGreaterThan(delivery.seq);
        }
      }
      expect(journey[0]!.type).toBe('publish_received');
    }
    // The publisher's PUBREL releases the QoS 2 message.
    expect(rows.find((r) => r.type === 'pubrel')).toMatchObject({ client_id: 'journey-pub-1', message_id: received2.message_id });
    // Sequence numbers are 1..n without gaps.
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    expect(received.sort()).toEqual(['direct journey/q1', 'direct journey/q2', 'shared journey/q1', 'shared journey/q2']);
    await stopTrace(traceId);
  });

  it('a trace on a topic filter records an ACL denial and queue-full drops with their reasons', async () => {
    const traceId = await startTrace({ topicFilter: 'guarded/#' });
    // A persistent session that goes offline; its queue holds 2 (maxQueuedMessages).
    const offline = await connectClient(broker.url, { clientId: 'guarded-offline', clean: false, properties: { sessionExpiryInterval: 300 } });
    await offline.subscribeAsync('guarded/q', { qos: 1 });
    await offline.endAsync();
    // Subscribed while allowed; the delivery check now refuses it.
    const revoked = await connectClient(broker.url, { clientId: 'guarded-revoked' });
    await revoked.subscribeAsync('guarded/revoked', { qos: 1 });
    const publisher = await connectClient(broker.url, { clientId: 'guarded-pub' });
    await publisher.publishAsync('guarded/revoked', 'not for you', { qos: 1 });
    // 5.0 PUBACK 0x87 Not authorized (the mqtt client rejects with it).
    await expect(publisher.publishAsync('guarded/secret', 'nope', { qos: 1 })).rejects.toMatchObject({ code: 0x87 });
    for (let i = 0; i < 4; i++) await publisher.publishAsync('guarded/q', `m${i}`, { qos: 1 });

    const rows = await eventsUntil(traceId, (r) => r.filter((e) => e.reason === 'queue_full').length === 2 && r.filter((e) => e.reason === 'acl_denied').length === 2, 'the drops');
    expect(rows.find((r) => r.reason === 'acl_denied' && r.topic === 'guarded/revoked')).toMatchObject({ type: 'drop', client_id: 'guarded-revoked', detail: { at: 'delivery' } });
    const denial = rows.find((r) => r.reason === 'acl_denied' && r.topic === 'guarded/secret')!;
    expect(denial).toMatchObject({ type: 'drop', client_id: 'guarded-pub', topic: 'guarded/secret', qos: 1 });
    expect(rows.find((r) => r.type === 'publish_received' && r.message_id === denial.message_id)).toBeDefined();
    const fullDrops = rows.filter((r) => r.reason === 'queue_full');
    for (const drop of fullDrops) expect(drop).toMatchObject({ type: 'drop', client_id: 'guarded-offline', topic: 'guarded/q' });
    // drop-oldest: the first two messages were pushed out by the last two.
    const firstTwo = rows.filter((r) => r.type === 'publish_received' && r.topic === 'guarded/q').slice(0, 2).map((r) => r.message_id);
    expect(fullDrops.map((d) => d.message_id)).toEqual(firstTwo);
    // A topic-only trace does not record connections.
    expect(rows.some((r) => r.type === 'connect')).toBe(false);
    await stopTrace(traceId);
  });

  it('records nothing for traffic its filter does not select', async () => {
    const traceId = await startTrace({ clientId: 'nobody-matches-this', topicFilter: 'quiet/#' });
    expect(tracing.tracer.active).toBe(true);
    const sub = await connectClient(broker.url, { clientId: 'quiet-sub' });
    await sub.subscribeAsync('#', { qos: 1 });
    const pub = await connectClient(broker.url, { clientId: 'quiet-pub' });
    let got = 0;
    sub.on('message', () => got++);
    for (let i = 0; i < 5; i++) await pub.publishAsync('quiet/x', 'x', { qos: 1 });
    await pub.publishAsync('other/x', 'x', { qos: 2 });
    const deadline = Date.now() + 10_000;
    while (got < 6 && Date.now() < deadline) await sleep(20);
    expect(got).toBe(6);
    await pub.endAsync();
    expect(await events(traceId)).toEqual([]);
    const { rows } = await pool.query<{ event_count: number }>('SELECT event_count FROM traces WHERE id = $1', [traceId]);
    expect(rows[0]!.event_count).toBe(0);
    await stopTrace(traceId);
  });

  it('stops at its end time (status expired) and records nothing afterwards', async () => {
    const traceId = await startTrace({ clientId: 'expiring-pub' }, { durationMs: 1500 });
    const pub = await connectClient(broker.url, { clientId: 'expiring-pub' });
    await pub.publishAsync('expiring/x', 'before', { qos: 1 });
    await eventsUntil(traceId, (r) => r.some((e) => e.type === 'publish_received'), 'the event before the end');
    const deadline = Date.now() + 15_000;
    let status = 'running';
    while (status === 'running' && Date.now() < deadline) {
      await sleep(100);
      status = (await pool.query<{ status: string }>('SELECT status FROM traces WHERE id = $1', [traceId])).rows[0]!.status;
    }
    expect(status).toBe('expired');
    expect(tracing.tracer.running.some((t) => t.id === traceId)).toBe(false);
    const before = (await events(traceId)).length;
    await pub.publishAsync('expiring/x', 'after', { qos: 1 });
    await sleep(100);
    expect((await events(traceId)).length).toBe(before);
  });

  it('honours maxEvents: stores exactly that many and stops the trace', async () => {
    const traceId = await startTrace({ clientId: 'chatty-pub' }, { maxEvents: 5 });
    const pub = await connectClient(broker.url, { clientId: 'chatty-pub' });
    for (let i = 0; i < 6; i++) await pub.publishAsync('chatty/x', `m${i}`, { qos: 0 });
    const deadline = Date.now() + 15_000;
    let row = { status: 'running', event_count: 0 };
    while (row.status === 'running' && Date.now() < deadline) {
      await tracing.writer.flush();
      await sleep(50);
      row = (await pool.query<{ status: string; event_count: number }>('SELECT status, event_count FROM traces WHERE id = $1', [traceId])).rows[0]!;
    }
    expect(row).toEqual({ status: 'stopped', event_count: 5 });
    expect((await events(traceId)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('records a will published after an abnormal close, its delivery, a kick and a session expiry', async () => {
    const traceId = await startTrace({ clientId: 'lifecycle-*' });
    const watcher = await connectClient(broker.url, { clientId: 'will-watcher' });
    await watcher.subscribeAsync('lifecycle/will', { qos: 1 });
    const willGot = new Promise<void>((resolve) => watcher.once('message', () => resolve()));
    const dying = await connectClient(broker.url, { clientId: 'lifecycle-dying', will: { topic: 'lifecycle/will', payload: Buffer.from('gone'), qos: 1, retain: false } });
    (dying as unknown as { stream: { destroy(): void } }).stream.destroy(); // no DISCONNECT: the will is published
    await willGot;

    const kicked = await connectClient(broker.url, { clientId: 'lifecycle-kicked' });
    broker.broker.context.sessions.connection('lifecycle-kicked')!.kick(0x98);
    await new Promise<void>((resolve) => kicked.once('close', () => resolve()));

    const expiring = await connectClient(broker.url, { clientId: 'lifecycle-expiring', clean: false, properties: { sessionExpiryInterval: 1 } });
    await expiring.endAsync();

    const rows = await eventsUntil(traceId, (r) => r.some((e) => e.type === 'session_expired') && r.some((e) => e.type === 'kick') && r.some((e) => e.type === 'delivery'), 'lifecycle events');
    expect(rows.find((r) => r.type === 'connection_closed' && r.client_id === 'lifecycle-dying')!.detail).toMatchObject({ willTriggered: true });
    const will = rows.find((r) => r.type === 'will_published')!;
    expect(will).toMatchObject({ client_id: 'lifecycle-dying', topic: 'lifecycle/will', qos: 1 });
    // The will's delivery to the (untraced) watcher belongs to the will's journey.
    expect(rows.find((r) => r.type === 'delivery' && r.message_id === will.message_id)).toMatchObject({ client_id: 'will-watcher', topic: 'lifecycle/will' });
    expect(rows.find((r) => r.type === 'kick')).toMatchObject({ client_id: 'lifecycle-kicked', reason: 'administrative_action' });
    expect(rows.find((r) => r.type === 'disconnect' && r.client_id === 'lifecycle-expiring')).toMatchObject({ reason: 'success' });
    expect(rows.find((r) => r.type === 'session_expired')).toMatchObject({ client_id: 'lifecycle-expiring' });
    await stopTrace(traceId);
  });

  it('retention: finished traces past the age limit go with their events, and only the newest finished ones are kept', async () => {
    const ids: string[] = [];
    for (const [i, endedHoursAgo] of [200, 2, 1].entries()) {
      const id = `00000000-0000-4000-9000-00000000000${i}`;
      ids.push(id);
      await pool.query(
        `INSERT INTO traces (id, name, filter, status, started_at, ends_at, stopped_at, max_events, event_count)
         VALUES ($1, 'old', '{"clientId":"x"}', 'stopped', now() - make_interval(hours => $2 + 1), now(), now() - make_interval(hours => $2), 10, 1)`,
        [id, endedHoursAgo],
      );
      await pool.query(`INSERT INTO trace_events (trace_id, seq, at, node, type) VALUES ($1, 1, now(), 'n', 'connect')`, [id]);
    }
    const running = await startTrace({ clientId: 'retention-running' });
    const keepFinished = Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM traces WHERE status <> 'running' AND id <> ALL($1::text[])`, [ids])).rows[0]!.n) + 1;
    await pruneTraces(pool, { maxAgeHours: 168, keepFinished });
    const left = (await pool.query<{ id: string }>('SELECT id FROM traces WHERE id = ANY($1::text[])', [[...ids, running]])).rows.map((r) => r.id).sort();
    // 200 h old: past the age limit; 2 h old: beyond the count (the 1 h old one is newer); running: untouched.
    expect(left).toEqual([ids[2], running].sort());
    expect(Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM trace_events WHERE trace_id = ANY($1::text[])', [ids.slice(0, 2)])).rows[0]!.n)).toBe(0);
    await stopTrace(running);
  });
});
