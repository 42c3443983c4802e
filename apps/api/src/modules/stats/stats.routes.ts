import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { DateTimeSchema } from '../../lib/schemas.js';
import { requireRole } from '../../plugins/auth.js';
import type { StatsService } from './stats.service.js';

const Counts = {
  connections: Type.Integer({ minimum: 0, description: 'Clients connected.' }),
  sessions: Type.Integer({ minimum: 0, description: 'Sessions held (connected and offline persistent).' }),
  subscriptions: Type.Integer({ minimum: 0 }),
  retained: Type.Integer({ minimum: 0, description: 'Retained messages.' }),
  queued: Type.Integer({ minimum: 0, description: 'Messages queued for sessions.' }),
  inflight: Type.Integer({ minimum: 0, description: 'Outbound QoS 1/2 messages awaiting acknowledgement.' }),
  dropped: Type.Integer({ minimum: 0, description: 'Messages dropped since the node started.' }),
  messagesIn: Type.Integer({ minimum: 0, description: 'PUBLISH packets received since the node started.' }),
  messagesOut: Type.Integer({ minimum: 0, description: 'PUBLISH packets sent since the node started.' }),
  bytesIn: Type.Integer({ minimum: 0 }),
  bytesOut: Type.Integer({ minimum: 0 }),
  messagesInRate: Type.Number({ minimum: 0, description: 'PUBLISH packets received per second over the last sampling interval.' }),
  messagesOutRate: Type.Number({ minimum: 0, description: 'PUBLISH packets sent per second over the last sampling interval.' }),
};

const NodeStatsSchema = Type.Object(
  { node: Type.String(), startedAt: DateTimeSchema, uptimeSeconds: Type.Integer({ minimum: 0 }), version: Type.String(), ...Counts },
  { title: 'NodeStats', additionalProperties: false },
);

const example = { connections: 2, sessions: 3, subscriptions: 4, retained: 1, queued: 0, inflight: 0, dropped: 0, messagesIn: 120, messagesOut: 240, bytesIn: 9100, bytesOut: 17800, messagesInRate: 1.5, messagesOutRate: 3 };

const StatsSchema = Type.Object(
  { at: DateTimeSchema, nodes: Type.Array(NodeStatsSchema), totals: Type.Object(Counts, { additionalProperties: false }) },
  {
    title: 'Stats',
    additionalProperties: false,
    description: 'Each node’s newest sample (nodes silent for 10 minutes are left out) and their sums.',
    examples: [{ at: '2026-11-27T05:30:00.000Z', nodes: [{ node: 'node-1', startedAt: '2026-11-27T05:00:00.000Z', uptimeSeconds: 1800, version: '0.1.0', ...example }], totals: example }],
  },
);

const PointSchema = Type.Object(
  {
    at: DateTimeSchema,
    connections: Type.Integer({ minimum: 0 }),
    subscriptions: Type.Integer({ minimum: 0 }),
    retained: Type.Integer({ minimum: 0 }),
    queued: Type.Integer({ minimum: 0 }),
    dropped: Type.Integer({ minimum: 0 }),
    messagesInRate: Type.Number({ minimum: 0 }),
    messagesOutRate: Type.Number({ minimum: 0 }),
  },
  { title: 'StatsPoint', additionalProperties: false },
);

export interface StatsRoutesOptions {
  service: StatsService;
}

/** /api/v1/stats: what the brokers sampled into Postgres, for the console's overview and charts. */
export const statsRoutes: FastifyPluginAsyncTypebox<StatsRoutesOptions> = async (app, { service }) => {
  const tags = ['stats'];
  const read = requireRole('viewer');

  app.get('/', { preHandler: read, schema: { operationId: 'getStats', summary: 'Current broker stats per node and in total', tags, response: { 200: StatsSchema } } }, async () => service.current());

  app.get(
    '/series',
    {
      preHandler: read,
      schema: {
        operationId: 'getStatsSeries',
        summary: 'A time series for charts: one point per bucket, summed over nodes',
        tags,
        querystring: Type.Object(
          {
            minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440, default: 60, description: 'How far back.' })),
            stepSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600, description: 'Bucket width; default max(10, minutes*60/360).' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object(
            { stepSeconds: Type.Integer(), points: Type.Array(PointSchema) },
            { additionalProperties: false, examples: [{ stepSeconds: 10, points: [{ at: '2026-11-27T05:30:00.000Z', connections: 2, subscriptions: 4, retained: 1, queued: 0, dropped: 0, messagesInRate: 1.5, messagesOutRate: 3 }] }] },
          ),
        },
      },
    },
    async (request) => service.series(request.query),
  );

  app.get(
    '/sys',
    {
      preHandler: read,
      schema: {
        operationId: 'getSysSnapshot',
        summary: 'The latest $SYS tree a broker stored (newest node, or ?node=)',
        tags,
        querystring: Type.Object({ node: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })) }, { additionalProperties: false }),
        response: {
          200: Type.Object(
            { node: Type.String(), at: DateTimeSchema, topics: Type.Record(Type.String(), Type.String()) },
            { title: 'SysSnapshot', additionalProperties: false, examples: [{ node: 'node-1', at: '2026-11-27T05:30:00.000Z', topics: { '$SYS/broker/clients/connected': '2', '$SYS/broker/uptime': '1800 seconds' } }] },
          ),
        },
      },
    },
    async (request) => service.sys(request.query.node),
  );
};
