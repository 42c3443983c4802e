import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { DateTimeSchema, IdSchema, PageQuery } from '../../lib/schemas.js';
import { actorOf, requireRole } from '../../plugins/auth.js';
import type { AclRuleService } from './acl-rules.service.js';

const SubjectKind = Type.Union([Type.Literal('user'), Type.Literal('group'), Type.Literal('everyone')]);
const Action = Type.Union([Type.Literal('publish'), Type.Literal('subscribe'), Type.Literal('all')]);
const Permission = Type.Union([Type.Literal('allow'), Type.Literal('deny')]);
const QosList = Type.Array(Type.Integer({ minimum: 0, maximum: 2 }), { maxItems: 3, uniqueItems: true, description: 'QoS levels the rule applies to; empty = any.' });
// Null first: with type coercion on, null would otherwise become "" / false.
const NullableSubject = Type.Union([Type.Null(), Type.String({ minLength: 1, maxLength: 256 })], { description: 'Username or group; null for everyone.' });
const NullableRetain = Type.Union([Type.Null(), Type.Boolean()], { description: 'Retain flag the rule applies to (publish); null = any.' });
const NullableDescription = Type.Union([Type.Null(), Type.String({ maxLength: 500 })]);
const Topic = Type.String({ minLength: 1, maxLength: 1024, description: 'Topic filter; placeholders ${username}/${clientid}; `eq <filter>` for a literal match.' });
const Priority = Type.Integer({ minimum: -1_000_000, maximum: 1_000_000, description: 'Lower first; the first matching rule decides.' });

export const AclRuleSchema = Type.Object(
  {
    id: IdSchema,
    subjectKind: SubjectKind,
    subject: Type.Union([Type.String(), Type.Null()]),
    action: Action,
    topic: Type.String(),
    permission: Permission,
    qos: Type.Array(Type.Integer()),
    retain: Type.Union([Type.Boolean(), Type.Null()]),
    priority: Type.Integer(),
    description: Type.Union([Type.String(), Type.Null()]),
    createdAt: DateTimeSchema,
    updatedAt: DateTimeSchema,
  },
  { title: 'AclRule', additionalProperties: false, examples: [{ id: '3f1c2a9e-6f0a-4c1e-9a55-1d2f3b4c5d6e', subjectKind: 'group', subject: 'sensors', action: 'publish', topic: 'sensors/${username}/#', permission: 'allow', qos: [], retain: null, priority: 1000, description: 'Each sensor publishes under its own name', createdAt: '2026-11-27T05:30:00.000Z', updatedAt: '2026-11-27T05:30:00.000Z' }] },
);

const RuleParams = Type.Object({ ruleId: IdSchema }, { additionalProperties: false });

export interface AclRulesRoutesOptions {
  service: AclRuleService;
}

/** /api/v1/acl-rules: operators change the rules the brokers enforce; explain answers what they would decide. */
export const aclRulesRoutes: FastifyPluginAsyncTypebox<AclRulesRoutesOptions> = async (app, { service }) => {
  const tags = ['acl-rules'];
  const read = requireRole('viewer');
  const write = requireRole('operator');

  app.post(
    '/',
    {
      preHandler: write,
      schema: {
        operationId: 'createAclRule',
        summary: 'Create an ACL rule',
        tags,
        body: Type.Object(
          {
            subjectKind: SubjectKind,
            subject: Type.Optional(NullableSubject),
            action: Action,
            topic: Topic,
            permission: Permission,
            qos: Type.Optional(QosList),
            retain: Type.Optional(NullableRetain),
            priority: Type.Optional(Priority),
            description: Type.Optional(NullableDescription),
          },
          { additionalProperties: false, examples: [{ subjectKind: 'group', subject: 'sensors', action: 'publish', topic: 'sensors/${username}/#', permission: 'allow' }] },
        ),
        response: { 201: AclRuleSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await service.create(actorOf(request), request.body)),
  );

  app.get(
    '/',
    {
      preHandler: read,
      schema: {
        operationId: 'listAclRules',
        summary: 'List ACL rules in evaluation order (cursor pagination)',
        tags,
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(AclRuleSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false }) },
      },
    },
    async (request) => (await service.list(request.query)),
  );

  app.post(
    '/explain',
    {
      preHandler: read,
      schema: {
        operationId: 'explainAcl',
        summary: 'What the broker would decide for a publish or subscribe, and which rule decided',
        tags,
        body: Type.Object(
          {
            username: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Absent: an anonymous client.' })),
            clientId: Type.String({ maxLength: 256 }),
            action: Type.Union([Type.Literal('publish'), Type.Literal('subscribe')]),
            topic: Type.String({ minLength: 1, maxLength: 1024 }),
            qos: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)])),
            retain: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, examples: [{ username: 'sensor-001', clientId: 'sensor-001', action: 'publish', topic: 'sensors/sensor-001/temperature', qos: 1 }] },
        ),
        response: {
          200: Type.Object(
            {
              allowed: Type.Boolean(),
              ruleId: Type.Union([Type.String(), Type.Null()]),
              reason: Type.Union([Type.Literal('invalid-topic'), Type.Literal('sys-topic'), Type.Literal('superuser'), Type.Literal('rule'), Type.Literal('unsafe-placeholder'), Type.Literal('default')]),
            },
            { additionalProperties: false, examples: [{ allowed: true, ruleId: '3f1c2a9e-6f0a-4c1e-9a55-1d2f3b4c5d6e', reason: 'rule' }] },
          ),
        },
      },
    },
    async (request) => (await service.explain(request.body)),
  );

  app.put(
    '/order',
    {
      preHandler: write,
      bodyLimit: 1024 * 1024,
      schema: {
        operationId: 'reorderAclRules',
        summary: 'Set the evaluation order of all ACL rules (priorities become 10, 20, 30, ...)',
        description: '`ids` must name every rule exactly once (409 API_ERR_CONFLICT listing `missing` and `unknown` ids otherwise, e.g. after a concurrent change).',
        tags,
        body: Type.Object(
          { ids: Type.Array(IdSchema, { minItems: 1, maxItems: 10_000, uniqueItems: true }) },
          { additionalProperties: false, examples: [{ ids: ['3f1c2a9e-6f0a-4c1e-9a55-1d2f3b4c5d6e', '0b5d3c1e-3e0f-4d8b-9f5e-2a7c6b1d9e01'] }] },
        ),
        response: { 200: Type.Object({ items: Type.Array(AclRuleSchema) }, { additionalProperties: false }) },
      },
    },
    async (request) => service.reorder(actorOf(request), request.body.ids),
  );

  app.get(
    '/affected',
    {
      preHandler: read,
      schema: {
        operationId: 'listClientsAffectedByAclRule',
        summary: 'Which connected clients a proposed ACL rule would affect (nothing is written)',
        description:
          'A client is affected when the rule is for it (user, group, everyone; superusers never) and either covers publishing, or changes whether one of its current subscriptions is allowed (evaluated as the broker does, with and without the rule). ' +
          'Connected clients come from the presence rows the brokers keep; subscriptions of clean-session clients are not in Postgres (`subscriptionsKnown: false`), so such clients are listed whenever the rule is for them.',
        tags,
        querystring: Type.Object(
          {
            subjectKind: SubjectKind,
            subject: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
            action: Action,
            topic: Topic,
            permission: Permission,
            qos: Type.Optional(Type.String({ pattern: '^[012](,[012]){0,2}$', maxLength: 5, description: 'Comma-separated QoS levels the rule applies to.' })),
            retain: Type.Optional(Type.Boolean()),
            priority: Type.Optional(Priority),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
          },
          { additionalProperties: false, examples: [{ subjectKind: 'group', subject: 'sensors', action: 'subscribe', topic: 'cmd/#', permission: 'deny' }] },
        ),
        response: {
          200: Type.Object(
            {
              items: Type.Array(
                Type.Object(
                  {
                    clientId: Type.String(),
                    username: Type.Union([Type.String(), Type.Null()]),
                    node: Type.String(),
                    publish: Type.Boolean(),
                    subscriptions: Type.Array(
                      Type.Object(
                        {
                          topicFilter: Type.String(),
                          qos: Type.Integer(),
                          before: Type.Object({ allowed: Type.Boolean(), ruleId: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false }),
                          after: Type.Object({ allowed: Type.Boolean(), ruleId: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false }),
                        },
                        { additionalProperties: false },
                      ),
                    ),
                    subscriptionsKnown: Type.Boolean(),
                  },
                  { additionalProperties: false },
                ),
              ),
              total: Type.Integer({ minimum: 0, description: 'Affected clients in all; `items` holds the first `limit`.' }),
              truncated: Type.Boolean(),
            },
            {
              additionalProperties: false,
              examples: [
                {
                  items: [{ clientId: 'sensor-001', username: 'sensor-001', node: 'node-1', publish: false, subscriptions: [{ topicFilter: 'cmd/sensor-001', qos: 1, before: { allowed: true, ruleId: '3f1c2a9e-6f0a-4c1e-9a55-1d2f3b4c5d6e' }, after: { allowed: false, ruleId: 'proposed' } }], subscriptionsKnown: true }],
                  total: 1,
                  truncated: false,
                },
              ],
            },
          ),
        },
      },
    },
    async (request) => {
      const { qos, limit, ...rule } = request.query;
      return service.affected({ ...rule, ...(qos !== undefined ? { qos: [...new Set(qos.split(',').map(Number))] } : {}) }, limit ?? 100);
    },
  );

  app.get(
    '/:ruleId',
    { preHandler: read, schema: { operationId: 'getAclRule', summary: 'Get an ACL rule', tags, params: RuleParams, response: { 200: AclRuleSchema } } },
    async (request) => (await service.get(request.params.ruleId)),
  );

  app.patch(
    '/:ruleId',
    {
      preHandler: write,
      schema: {
        operationId: 'updateAclRule',
        summary: 'Change an ACL rule',
        tags,
        params: RuleParams,
        body: Type.Object(
          {
            subjectKind: Type.Optional(SubjectKind),
            subject: Type.Optional(NullableSubject),
            action: Type.Optional(Action),
            topic: Type.Optional(Topic),
            permission: Type.Optional(Permission),
            qos: Type.Optional(QosList),
            retain: Type.Optional(NullableRetain),
            priority: Type.Optional(Priority),
            description: Type.Optional(NullableDescription),
          },
          { additionalProperties: false, minProperties: 1, examples: [{ permission: 'deny' }] },
        ),
        response: { 200: AclRuleSchema },
      },
    },
    async (request) => (await service.update(actorOf(request), request.params.ruleId, request.body)),
  );

  app.delete(
    '/:ruleId',
    { preHandler: write, schema: { operationId: 'deleteAclRule', summary: 'Delete an ACL rule', tags, params: RuleParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      await service.remove(actorOf(request), request.params.ruleId);
      return reply.code(204).send(null);
    },
  );
};
