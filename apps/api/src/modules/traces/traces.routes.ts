import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { DateTimeSchema, IdSchema, NullableDateTime, PageQuery } from '../../lib/schemas.js';
import { actorOf, requireRole } from '../../plugins/auth.js';
import type { TraceNotifications } from './trace-notifications.js';
import type { TraceEventView, TraceService } from './traces.service.js';

const Status = Type.Union([Type.Literal('running'), Type.Literal('stopped'), Type.Literal('expired')]);
const Encoding = Type.Union([Type.Literal('text'), Type.Literal('base64'), Type.Literal('hex')], { description: 'How captured payload bytes are written in events.' });

const FilterSchema = Type.Object(
  {
    clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Exact client identifier, or a pattern where * matches any characters.' })),
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    topicFilter: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'MQTT topic filter (wildcards allowed) the message topic must match.' })),
    ip: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IPv4/IPv6 address or CIDR block of the client.' })),
  },
  { title: 'TraceFilter', additionalProperties: false, description: 'Unset fields match everything; set fields must all match. At least one is required.' },
);

export const TraceSchema = Type.Object(
  {
    id: IdSchema,
    name: Type.String(),
    filter: FilterSchema,
    status: Status,
    startedAt: DateTimeSchema,
    endsAt: DateTimeSchema,
    stoppedAt: NullableDateTime,
    eventCount: Type.Integer(),
    maxEvents: Type.Integer(),
    payloadCaptureBytes: Type.Integer(),
    payloadEncoding: Encoding,
  },
  { title: 'Trace', additionalProperties: false },
);

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const TraceEventSchema = Type.Object(
  {
    id: Type.String({ description: 'Row id (a decimal integer).' }),
    seq: Type.Integer({ description: 'Position in the trace: 1, 2, 3...' }),
    at: DateTimeSchema,
    node: Type.String({ description: 'Broker node that recorded the event.' }),
    type: Type.String({
      description:
        'connect, connack, subscribe, unsubscribe, publish_received, routed, delivery, puback, pubrec, pubrel, pubcomp, drop, disconnect, connection_closed, kick, will_published, session_expired',
    }),
    clientId: Nullable(Type.String()),
    username: Nullable(Type.String()),
    messageId: Nullable(Type.String({ description: 'Links a received message to its routing, deliveries, acknowledgements and drops.' })),
    topic: Nullable(Type.String()),
    qos: Nullable(Type.Integer()),
    packetId: Nullable(Type.Integer()),
    reason: Nullable(Type.String({ description: 'Reason code name (not_authorized, success...) or drop reason (acl_denied, queue_full, expired, too_large, no_subscribers...).' })),
    detail: Type.Record(Type.String(), Type.Unknown()),
  },
  { title: 'TraceEvent', additionalProperties: false },
);

const TraceParams = Type.Object({ traceId: IdSchema }, { additionalProperties: false });

export interface TracesRoutesOptions {
  service: TraceService;
  /** Wakes live streams when brokers write events; without it streams poll once a second. */
  notifications?: TraceNotifications;
}

const STREAM_PAGE = 500;
/** Safety net of a live stream: re-reads this often even without notifications (status changes, lost NOTIFYs). */
const STREAM_POLL_MS = 2000;
const STREAM_HEARTBEAT_MS = 15_000;

/** /api/v1/traces: operators start, stop and delete traces; viewers read, stream and export events. */
export const tracesRoutes: FastifyPluginAsyncTypebox<TracesRoutesOptions> = async (app, { service, notifications }) => {
  const tags = ['traces'];
  const read = requireRole('viewer');
  const write = requireRole('operator');

  app.post(
    '/',
    {
      preHandler: write,
      schema: {
        operationId: 'createTrace',
        summary: 'Start a trace: brokers record events of matching traffic until it ends',
        tags,
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            filter: FilterSchema,
            durationSeconds: Type.Integer({ minimum: 1, maximum: 86400 }),
            payloadCaptureBytes: Type.Integer({ minimum: 0, maximum: 4096, default: 0 }),
            payloadEncoding: Type.Optional(Encoding),
            maxEvents: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 10_000 }),
          },
          {
            additionalProperties: false,
            examples: [{ name: 'sensor 42 does not get commands', filter: { clientId: 'sensor-42' }, durationSeconds: 600, payloadCaptureBytes: 64, payloadEncoding: 'text', maxEvents: 10000 }],
          },
        ),
        response: { 201: TraceSchema },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const trace = await service.create(actorOf(request), {
        name: body.name,
        filter: body.filter,
        durationSeconds: body.durationSeconds,
        payloadCaptureBytes: body.payloadCaptureBytes ?? 0,
        payloadEncoding: body.payloadEncoding ?? 'text',
        maxEvents: body.maxEvents ?? 10_000,
      });
      return reply.code(201).send(trace);
    },
  );

  app.get(
    '/',
    {
      preHandler: read,
      schema: {
        operationId: 'listTraces',
        summary: 'List traces, newest first (cursor pagination)',
        tags,
        querystring: Type.Object({ ...PageQuery, status: Type.Optional(Status) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(TraceSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false }) },
      },
    },
    async (request) => service.list(request.query),
  );

  app.get(
    '/:traceId',
    { preHandler: read, schema: { operationId: 'getTrace', summary: 'Get a trace', tags, params: TraceParams, response: { 200: TraceSchema } } },
    async (request) => service.get(request.params.traceId),
  );

  app.post(
    '/:traceId/stop',
    {
      preHandler: write,
      schema: { operationId: 'stopTrace', summary: 'Stop a running trace (409 when it is not running)', tags, params: TraceParams, response: { 200: TraceSchema } },
    },
    async (request) => service.stop(actorOf(request), request.params.traceId),
  );

  app.delete(
    '/:traceId',
    {
      preHandler: write,
      schema: { operationId: 'deleteTrace', summary: 'Delete a trace and its events', tags, params: TraceParams, response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      await service.remove(actorOf(request), request.params.traceId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/:traceId/events',
    {
      preHandler: read,
      schema: {
        operationId: 'listTraceEvents',
        summary: "A trace's events in order (cursor pagination), optionally of one type, client or message",
        tags,
        params: TraceParams,
        querystring: Type.Object(
          {
            ...PageQuery,
            type: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
            clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
            messageId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(TraceEventSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false }) },
      },
    },
    async (request) => service.events(request.params.traceId, request.query),
  );

  app.get(
    '/:traceId/events/stream',
    {
      preHandler: read,
      schema: {
        operationId: 'streamTraceEvents',
        summary: 'Live events as server-sent events: `event: trace-event` (data: the event, id: its seq), then `event: trace-end` when the trace is over',
        description:
          'Starts after `after` (a seq) or the Last-Event-ID header, else from the first event. The API LISTENs for the NOTIFY brokers send after each batch they commit and reads new rows by seq, so a stream sees every event once, in order.',
        tags,
        params: TraceParams,
        querystring: Type.Object({ after: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })) }, { additionalProperties: false }),
        response: { 200: Type.String({ description: 'text/event-stream' }) },
      },
    },
    async (request, reply) => {
      const traceId = request.params.traceId;
      await service.get(traceId); // 404 as problem details, before the stream starts
      const lastEventId = Number(request.headers['last-event-id']);
      let last = request.query.after ?? (Number.isInteger(lastEventId) && lastEventId > 0 ? lastEventId : 0);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      raw.write('retry: 2000\n\n');
      let ended = false;
      let busy = false;
      let again = false;
      const drain = async (): Promise<void> => {
        for (;;) {
          const page: TraceEventView[] = await service.eventsAfter(traceId, last, STREAM_PAGE);
          for (const event of page) {
            raw.write(`id: ${event.seq}\nevent: trace-event\ndata: ${JSON.stringify(event)}\n\n`);
            last = event.seq;
          }
          if (page.length < STREAM_PAGE || ended) return;
        }
      };
      const finish = (): void => {
        if (ended) return;
        ended = true;
        clearInterval(poll);
        clearInterval(heartbeat);
        unsubscribe();
        raw.end();
      };
      const pump = async (): Promise<void> => {
        if (ended) return;
        if (busy) {
          again = true;
          return;
        }
        busy = true;
        try {
          do {
            again = false;
            await drain();
            const trace = await service.get(traceId);
            if (trace.status !== 'running') {
              // Events recorded just before the end may still be in a broker's last batch.
              await new Promise((resolve) => setTimeout(resolve, 300));
              await drain();
              raw.write(`event: trace-end\ndata: ${JSON.stringify(trace)}\n\n`);
              finish();
            }
          } while (again && !ended);
        } catch (error) {
          request.log.warn({ err: error, traceId }, 'trace stream ended');
          raw.write(`event: trace-end\ndata: ${JSON.stringify({ id: traceId, status: 'deleted' })}\n\n`);
          finish();
        } finally {
          busy = false;
        }
      };
      const unsubscribe = notifications ? notifications.subscribe(traceId, () => void pump()) : () => {};
      const poll = setInterval(() => void pump(), notifications ? STREAM_POLL_MS : 1000);
      const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), STREAM_HEARTBEAT_MS);
      raw.on('close', finish);
      void pump();
    },
  );

  app.get(
    '/:traceId/export',
    {
      preHandler: read,
      schema: {
        operationId: 'exportTrace',
        summary: "All of a trace's events as NDJSON (one JSON event per line, in order)",
        tags,
        params: TraceParams,
        response: { 200: Type.String({ description: 'application/x-ndjson' }) },
      },
    },
    async (request, reply) => {
      const traceId = request.params.traceId;
      await service.get(traceId);
      async function* lines(): AsyncGenerator<string> {
        let after = 0;
        for (;;) {
          const page = await service.eventsAfter(traceId, after, 1000);
          if (page.length === 0) return;
          yield page.map((event) => `${JSON.stringify(event)}\n`).join('');
          after = page.at(-1)!.seq;
        }
      }
      return reply
        .type('application/x-ndjson')
        .header('content-disposition', `attachment; filename="trace-${traceId}.ndjson"`)
        // A stream is sent as is (the 200 schema only documents the body as text).
        .send(Readable.from(lines()) as unknown as string);
    },
  );

  app.get(
    '/:traceId/messages/:messageId',
    {
      preHandler: read,
      schema: {
        operationId: 'getTraceMessage',
        summary: "One message's journey: its PUBLISH, routing, every delivery, acknowledgement and drop",
        tags,
        params: Type.Object({ traceId: IdSchema, messageId: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ messageId: Type.String(), events: Type.Array(TraceEventSchema) }, { title: 'TraceMessage', additionalProperties: false }) },
      },
    },
    async (request) => service.message(request.params.traceId, request.params.messageId),
  );
};
