import { ControlChannel, EventChannel } from '@repo/control';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, listen, setupApi, type ApiTestContext } from './api-helper.js';
import { expectProblemShape } from './helper.js';
import { findOpenApiProblems } from './openapi-document.js';

interface TraceBody {
  id: string;
  status: string;
  eventCount: number;
  filter: Record<string, string>;
  endsAt: string;
  startedAt: string;
  stoppedAt: string | null;
}

interface EventBody {
  id: string;
  seq: number;
  type: string;
  clientId: string | null;
  messageId: string | null;
  reason: string | null;
  detail: Record<string, unknown>;
}

const validTrace = { name: 'sensor journey', filter: { clientId: 'sensor-*' }, durationSeconds: 600, payloadCaptureBytes: 32, payloadEncoding: 'text', maxEvents: 1000 };

describe('/api/v1/traces', () => {
  let ctx: ApiTestContext;
  beforeAll(async () => {
    ctx = await setupApi('traces');
  });
  afterAll(async () => {
    await ctx?.close();
  });

  async function createTrace(payload: Record<string, unknown> = validTrace): Promise<TraceBody> {
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/traces', headers: bearer(ctx.tokens.operator), payload });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<TraceBody>();
  }

  let seqs = new Map<string, number>();
  /** Writes events as a broker does: next seqs, event_count, then NOTIFY traceEventsWritten. */
  async function brokerWrites(traceId: string, events: Array<{ type: string; clientId?: string; messageId?: string; reason?: string; detail?: object }>): Promise<void> {
    let seq = seqs.get(traceId) ?? 0;
    for (const e of events) {
      seq++;
      await ctx.db.traceEvent.create({
        data: { traceId, seq, at: new Date(), node: 'node-1', type: e.type, clientId: e.clientId ?? null, messageId: e.messageId ?? null, reason: e.reason ?? null, detail: e.detail ?? {} },
      });
    }
    seqs.set(traceId, seq);
    await ctx.db.trace.update({ where: { id: traceId }, data: { eventCount: seq } });
    await ctx.db.$executeRaw`SELECT pg_notify(${EventChannel.traceEventsWritten}, ${traceId})`;
  }

  it('operators start traces (audited, brokers told over tracesChanged); viewers cannot', async () => {
    const notifications = await listen(ctx.databaseUrl, ControlChannel.tracesChanged);
    try {
      const forbidden = await ctx.app.inject({ method: 'POST', url: '/api/v1/traces', headers: bearer(ctx.tokens.viewer), payload: validTrace });
      expect(forbidden.statusCode).toBe(403);
      const before = Date.now();
      const trace = await createTrace();
      expect(trace).toMatchObject({ status: 'running', eventCount: 0, filter: { clientId: 'sensor-*' }, stoppedAt: null, maxEvents: 1000, payloadEncoding: 'text' });
      const duration = new Date(trace.endsAt).getTime() - new Date(trace.startedAt).getTime();
      expect(duration).toBe(600_000);
      expect(new Date(trace.startedAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(await notifications.next()).toBe(trace.id);
      const audit = await ctx.db.auditEvent.findFirst({ where: { resourceType: 'trace', resourceId: trace.id, action: 'trace.create' } });
      expect(audit?.actor).toContain('operator');
      const read = await ctx.app.inject({ method: 'GET', url: `/api/v1/traces/${trace.id}`, headers: bearer(ctx.tokens.viewer) });
      expect(read.json()).toEqual(trace);
    } finally {
      await notifications.stop();
    }
  });

  it('refuses bad filters, durations, limits and encodings with the failing field', async () => {
    for (const [change, pointer] of [
      [{ filter: {} }, '/filter'],
      [{ filter: { topicFilter: 'a/#/b' } }, '/filter/topicFilter'],
      [{ filter: { ip: '300.1.1.1' } }, '/filter/ip'],
      [{ filter: { host: 'x' } }, '/filter'],
      [{ durationSeconds: 0 }, '/durationSeconds'],
      [{ durationSeconds: 86401 }, '/durationSeconds'],
      [{ payloadCaptureBytes: 4097 }, '/payloadCaptureBytes'],
      [{ maxEvents: 0 }, '/maxEvents'],
      [{ payloadEncoding: 'utf16' }, '/payloadEncoding'],
    ] as const) {
      const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/traces', headers: bearer(ctx.tokens.operator), payload: { ...validTrace, ...change } });
      expect(response.statusCode, JSON.stringify(change)).toBe(400);
      const body = response.json();
      expectProblemShape(body);
      expect(body.code).toBe('API_ERR_VALIDATION');
      expect(body.errors?.map((e) => e.pointer).some((p) => p.startsWith(pointer)), `${JSON.stringify(change)}: ${response.body}`).toBe(true);
    }
  });

  it('lists newest first with pagination; stops (409 when not running) and deletes with the events', async () => {
    const a = await createTrace({ ...validTrace, name: 'a' });
    const b = await createTrace({ ...validTrace, name: 'b' });
    const viewer = bearer(ctx.tokens.viewer);
    const page1 = (await ctx.app.inject({ method: 'GET', url: '/api/v1/traces?limit=1', headers: viewer })).json<{ items: TraceBody[]; nextCursor: string }>();
    expect(page1.items.map((t) => t.id)).toEqual([b.id]);
    const page2 = (await ctx.app.inject({ method: 'GET', url: `/api/v1/traces?limit=1&cursor=${page1.nextCursor}`, headers: viewer })).json<{ items: TraceBody[] }>();
    expect(page2.items.map((t) => t.id)).toEqual([a.id]);

    expect((await ctx.app.inject({ method: 'POST', url: `/api/v1/traces/${a.id}/stop`, headers: viewer })).statusCode).toBe(403);
    const stopped = await ctx.app.inject({ method: 'POST', url: `/api/v1/traces/${a.id}/stop`, headers: bearer(ctx.tokens.operator) });
    expect(stopped.statusCode).toBe(200);
    expect(stopped.json()).toMatchObject({ status: 'stopped', stoppedAt: expect.any(String) });
    const again = await ctx.app.inject({ method: 'POST', url: `/api/v1/traces/${a.id}/stop`, headers: bearer(ctx.tokens.operator) });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'API_ERR_CONFLICT', status: 409 });
    const running = (await ctx.app.inject({ method: 'GET', url: '/api/v1/traces?status=running', headers: viewer })).json<{ items: TraceBody[] }>();
    expect(running.items.map((t) => t.id)).toContain(b.id);
    expect(running.items.map((t) => t.id)).not.toContain(a.id);

    await brokerWrites(b.id, [{ type: 'connect', clientId: 'sensor-1' }]);
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/traces/${b.id}`, headers: bearer(ctx.tokens.operator) })).statusCode).toBe(204);
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/traces/${b.id}`, headers: viewer })).statusCode).toBe(404);
    expect(await ctx.db.traceEvent.count({ where: { traceId: b.id } })).toBe(0);
    expect(await ctx.db.auditEvent.count({ where: { resourceType: 'trace', resourceId: { in: [a.id, b.id] } } })).toBe(4);
  });

  it('a trace past its end time reads as expired', async () => {
    const trace = await createTrace({ ...validTrace, durationSeconds: 1 });
    const deadline = Date.now() + 10_000;
    let status = 'running';
    while (status === 'running' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      status = (await ctx.app.inject({ method: 'GET', url: `/api/v1/traces/${trace.id}`, headers: bearer(ctx.tokens.viewer) })).json<TraceBody>().status;
    }
    expect(status).toBe('expired');
  });

  it('lists events by type, client and message with pagination; shows one message journey; exports NDJSON', async () => {
    const trace = await createTrace();
    const m1 = '0190f0f0-0000-7000-8000-000000000001';
    await brokerWrites(trace.id, [
      { type: 'connect', clientId: 'sensor-1' },
      { type: 'publish_received', clientId: 'sensor-1', messageId: m1, detail: { size: 5 } },
      { type: 'delivery', clientId: 'app-1', messageId: m1 },
      { type: 'puback', clientId: 'app-1', messageId: m1, reason: 'success', detail: { elapsedMs: 3 } },
      { type: 'drop', clientId: 'sensor-1', messageId: 'other', reason: 'acl_denied' },
    ]);
    const viewer = bearer(ctx.tokens.viewer);
    const base = `/api/v1/traces/${trace.id}`;
    const first = (await ctx.app.inject({ method: 'GET', url: `${base}/events?limit=2`, headers: viewer })).json<{ items: EventBody[]; nextCursor: string }>();
    expect(first.items.map((e) => e.seq)).toEqual([1, 2]);
    const rest = (await ctx.app.inject({ method: 'GET', url: `${base}/events?cursor=${first.nextCursor}`, headers: viewer })).json<{ items: EventBody[]; nextCursor: null }>();
    expect(rest.items.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(rest.nextCursor).toBeNull();
    const byClient = (await ctx.app.inject({ method: 'GET', url: `${base}/events?clientId=app-1`, headers: viewer })).json<{ items: EventBody[] }>();
    expect(byClient.items.map((e) => e.type)).toEqual(['delivery', 'puback']);
    const drops = (await ctx.app.inject({ method: 'GET', url: `${base}/events?type=drop`, headers: viewer })).json<{ items: EventBody[] }>();
    expect(drops.items).toMatchObject([{ reason: 'acl_denied', seq: 5 }]);

    const journey = await ctx.app.inject({ method: 'GET', url: `${base}/messages/${m1}`, headers: viewer });
    expect(journey.statusCode).toBe(200);
    expect(journey.json()).toMatchObject({ messageId: m1, events: [{ type: 'publish_received' }, { type: 'delivery' }, { type: 'puback', detail: { elapsedMs: 3 } }] });
    expect((await ctx.app.inject({ method: 'GET', url: `${base}/messages/unknown`, headers: viewer })).statusCode).toBe(404);

    const exported = await ctx.app.inject({ method: 'GET', url: `${base}/export`, headers: viewer });
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = exported.body.trimEnd().split('\n').map((line) => JSON.parse(line) as EventBody);
    expect(lines.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(lines[1]).toMatchObject({ type: 'publish_received', messageId: m1, detail: { size: 5 } });
    expect(exported.body.endsWith('\n')).toBe(true);
  });

  it('streams events live over SSE as brokers write them, then trace-end when stopped', async () => {
    const trace = await createTrace();
    await brokerWrites(trace.id, [{ type: 'connect', clientId: 'sensor-9' }]);
    const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const controller = new AbortController();
    const response = await fetch(`${address}/api/v1/traces/${trace.id}/events/stream`, { headers: bearer(ctx.tokens.viewer), signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    const frames: Array<{ event: string; data: string; id?: string }> = [];
    const readUntil = async (done: () => boolean): Promise<void> => {
      const deadline = Date.now() + 15_000;
      while (!done()) {
        if (Date.now() > deadline) throw new Error(`stream: got ${JSON.stringify(frames)}`);
        const chunk = await reader.read();
        if (chunk.done) break;
        buffer += chunk.value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':') && l.includes(': ')).map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]));
          if (fields.event) frames.push(fields as { event: string; data: string; id?: string });
        }
      }
    };
    try {
      await readUntil(() => frames.length >= 1);
      expect(frames[0]).toMatchObject({ event: 'trace-event', id: '1' });
      expect(JSON.parse(frames[0]!.data)).toMatchObject({ seq: 1, type: 'connect', clientId: 'sensor-9' });
      // Written after the stream started: arrives through the broker's NOTIFY.
      await brokerWrites(trace.id, [{ type: 'publish_received', clientId: 'sensor-9' }, { type: 'disconnect', clientId: 'sensor-9' }]);
      await readUntil(() => frames.length >= 3);
      expect(frames.map((f) => f.id)).toEqual(['1', '2', '3']);
      await ctx.app.inject({ method: 'POST', url: `/api/v1/traces/${trace.id}/stop`, headers: bearer(ctx.tokens.operator) });
      await readUntil(() => frames.some((f) => f.event === 'trace-end'));
      expect(JSON.parse(frames.at(-1)!.data)).toMatchObject({ id: trace.id, status: 'stopped' });
    } finally {
      controller.abort();
    }
  });

  it('streams 404 as problem details for an unknown trace', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/api/v1/traces/00000000-0000-4000-8000-000000000000/events/stream', headers: bearer(ctx.tokens.viewer) });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'API_ERR_NOT_FOUND' });
  });

  it('documents every trace operation in the OpenAPI document', async () => {
    const document = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { operationId?: string }>> };
    const ids = Object.values(document.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(ids).toEqual(expect.arrayContaining(['createTrace', 'listTraces', 'getTrace', 'stopTrace', 'deleteTrace', 'listTraceEvents', 'streamTraceEvents', 'exportTrace', 'getTraceMessage']));
    expect(findOpenApiProblems(document)).toEqual([]);
  });
});
