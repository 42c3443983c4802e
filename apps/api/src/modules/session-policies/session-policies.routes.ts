import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type, { type TSchema, type TUnsafe } from 'typebox';
import { DateTimeSchema, IdSchema, NullableDateTime, PageQuery } from '../../lib/schemas.js';
import { actorOf, requireRole } from '../../plugins/auth.js';
import type { SessionPolicyService } from './session-policies.service.js';

// Null first: with type coercion on, null would otherwise become 0 / false.
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T, description: string) => Type.Union([Type.Null(), schema], { description: `${description} null = inherit.` });

/** The limits, each nullable (inherit from the next layer: user > group > default > broker configuration). */
const Fields = {
  sessionExpiryMax: nullable(Type.Integer({ minimum: 0, maximum: 4294967295 }), 'Cap on the Session Expiry Interval, seconds (5.0 clients see the capped value in CONNACK).'),
  maxQueued: nullable(Type.Integer({ minimum: 0, maximum: 1_000_000 }), 'Messages queued per session (offline, or beyond the in-flight window).'),
  queueQos0: nullable(Type.Boolean(), 'Queue QoS 0 messages for an offline session.'),
  dropPolicy: nullable(Type.Union([Type.Literal('drop-oldest'), Type.Literal('drop-new')]), 'What goes when the queue is full.'),
  maxInflight: nullable(Type.Integer({ minimum: 1, maximum: 65535 }), 'Outbound in-flight window (QoS 1/2 sent, not acknowledged); the client’s Receive Maximum may lower it.'),
  maxPacketSize: nullable(Type.Integer({ minimum: 64, maximum: 268435455 }), 'Maximum Packet Size accepted from the client, bytes (announced in CONNACK; never above the broker’s MQTT_MAX_PACKET_SIZE).'),
  keepAliveMax: nullable(Type.Integer({ minimum: 0, maximum: 65535 }), 'Keep Alive cap, seconds (5.0: Server Keep Alive); 0 = no cap.'),
};

/**
 * Request bodies: `type: [x, 'null']` rather than a union, because the app coerces types (for
 * query strings) and Ajv would turn 0 or false into null through a union's null branch (or null
 * into 0 / false the other way round); with a type list it coerces only what matches no type.
 */
const orNull = <T>(schema: Record<string, unknown>, documented: TSchema): TUnsafe<T | null> =>
  Type.Unsafe<T | null>({ ...schema, type: [schema.type, 'null'], description: (documented as { description?: string }).description });
const BodyFields = {
  sessionExpiryMax: Type.Optional(orNull<number>({ type: 'integer', minimum: 0, maximum: 4294967295 }, Fields.sessionExpiryMax)),
  maxQueued: Type.Optional(orNull<number>({ type: 'integer', minimum: 0, maximum: 1_000_000 }, Fields.maxQueued)),
  queueQos0: Type.Optional(orNull<boolean>({ type: 'boolean' }, Fields.queueQos0)),
  dropPolicy: Type.Optional(orNull<'drop-oldest' | 'drop-new'>({ type: 'string', enum: ['drop-oldest', 'drop-new', null] }, Fields.dropPolicy)),
  maxInflight: Type.Optional(orNull<number>({ type: 'integer', minimum: 1, maximum: 65535 }, Fields.maxInflight)),
  maxPacketSize: Type.Optional(orNull<number>({ type: 'integer', minimum: 64, maximum: 268435455 }, Fields.maxPacketSize)),
  keepAliveMax: Type.Optional(orNull<number>({ type: 'integer', minimum: 0, maximum: 65535 }, Fields.keepAliveMax)),
};
const optionalFields = BodyFields;

const Target = Type.Object(
  {
    type: Type.Union([Type.Literal('user'), Type.Literal('group')]),
    name: Type.String({ minLength: 1, maxLength: 256, description: 'The MQTT username or group name.' }),
  },
  { additionalProperties: false },
);

const example = { sessionExpiryMax: 86400, maxQueued: 500, queueQos0: false, dropPolicy: 'drop-oldest', maxInflight: 20, maxPacketSize: 262144, keepAliveMax: 300 };

export const DefaultPolicySchema = Type.Object(
  { ...Fields, updatedAt: NullableDateTime },
  { title: 'DefaultSessionPolicy', additionalProperties: false, examples: [{ ...example, updatedAt: '2026-11-27T05:20:00.000Z' }] },
);

export const PolicyOverrideSchema = Type.Object(
  { id: IdSchema, target: Target, ...Fields, createdAt: DateTimeSchema, updatedAt: DateTimeSchema },
  {
    title: 'SessionPolicyOverride',
    additionalProperties: false,
    examples: [{ id: '3f7e2a7c-1b7e-4c54-9a55-0c2f4f1e9d11', target: { type: 'group', name: 'sensors' }, ...example, maxInflight: null, createdAt: '2026-11-27T05:20:00.000Z', updatedAt: '2026-11-27T05:20:00.000Z' }],
  },
);

const PolicyParams = Type.Object({ policyId: IdSchema }, { additionalProperties: false });

export interface SessionPoliciesRoutesOptions {
  service: SessionPolicyService;
}

/**
 * /api/v1/session-policies: the limits the brokers apply per session. Operators change them,
 * viewers read them; brokers reload on NOTIFY and apply what MQTT allows to connected clients.
 */
export const sessionPoliciesRoutes: FastifyPluginAsyncTypebox<SessionPoliciesRoutesOptions> = async (app, { service }) => {
  const tags = ['session-policies'];
  const read = requireRole('viewer');
  const write = requireRole('operator');

  app.get(
    '/default',
    { preHandler: read, schema: { operationId: 'getDefaultSessionPolicy', summary: 'The global default session policy', tags, response: { 200: DefaultPolicySchema } } },
    async () => service.getDefault(),
  );

  app.put(
    '/default',
    {
      preHandler: write,
      schema: {
        operationId: 'putDefaultSessionPolicy',
        summary: 'Replace the global default session policy (fields left out become null: inherit the broker configuration)',
        tags,
        body: Type.Object(optionalFields, { additionalProperties: false, examples: [example] }),
        response: { 200: DefaultPolicySchema },
      },
    },
    async (request) => service.putDefault(actorOf(request), request.body),
  );

  app.get(
    '/',
    {
      preHandler: read,
      schema: {
        operationId: 'listSessionPolicies',
        summary: 'List per-user and per-group overrides, by target type and name (cursor pagination)',
        tags,
        querystring: Type.Object(
          {
            ...PageQuery,
            targetType: Type.Optional(Type.Union([Type.Literal('user'), Type.Literal('group')])),
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Substring of the target name.' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(PolicyOverrideSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false }) },
      },
    },
    async (request) => service.list(request.query),
  );

  app.post(
    '/',
    {
      preHandler: write,
      schema: {
        operationId: 'createSessionPolicy',
        summary: 'Create an override for one user or one group (409 if the target has one)',
        tags,
        body: Type.Object({ target: Target, ...optionalFields }, { additionalProperties: false, examples: [{ target: { type: 'user', name: 'sensor-17' }, maxQueued: 100, dropPolicy: 'drop-new' }] }),
        response: { 201: PolicyOverrideSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await service.create(actorOf(request), request.body)),
  );

  app.get(
    '/:policyId',
    { preHandler: read, schema: { operationId: 'getSessionPolicy', summary: 'One override', tags, params: PolicyParams, response: { 200: PolicyOverrideSchema } } },
    async (request) => service.get(request.params.policyId),
  );

  app.patch(
    '/:policyId',
    {
      preHandler: write,
      schema: {
        operationId: 'updateSessionPolicy',
        summary: 'Change some fields of an override (null = inherit); its target cannot change',
        tags,
        params: PolicyParams,
        body: Type.Object(optionalFields, { additionalProperties: false, minProperties: 1, examples: [{ maxQueued: 1000, keepAliveMax: null }] }),
        response: { 200: PolicyOverrideSchema },
      },
    },
    async (request) => service.update(actorOf(request), request.params.policyId, request.body),
  );

  app.delete(
    '/:policyId',
    { preHandler: write, schema: { operationId: 'deleteSessionPolicy', summary: 'Remove an override (its target inherits again)', tags, params: PolicyParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      await service.remove(actorOf(request), request.params.policyId);
      return reply.code(204).send(null);
    },
  );
};
