import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { DateTimeSchema, IdSchema, NullableDateTime, PageQuery } from '../../lib/schemas.js';
import { actorOf, requireRole } from '../../plugins/auth.js';
import type { MqttUserBulkService } from './mqtt-users-bulk.service.js';
import { EXPORT_COLUMNS, type MqttUserExportService } from './mqtt-users-export.service.js';
import type { MqttUserService } from './mqtt-users.service.js';

const Username = Type.String({ minLength: 1, maxLength: 256 });
const Groups = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50, uniqueItems: true });
// Null first: with type coercion on, null would otherwise become "".
const Description = Type.Union([Type.Null(), Type.String({ maxLength: 500 })]);

export const MqttUserSchema = Type.Object(
  {
    id: IdSchema,
    username: Type.String(),
    enabled: Type.Boolean(),
    superuser: Type.Boolean(),
    groups: Type.Array(Type.String()),
    description: Type.Union([Type.String(), Type.Null()]),
    createdAt: DateTimeSchema,
    updatedAt: DateTimeSchema,
  },
  { title: 'MqttUser', additionalProperties: false, examples: [{ id: '2c4e6a8b-1d3f-4a5b-8c7d-9e0f1a2b3c4d', username: 'sensor-001', enabled: true, superuser: false, groups: ['sensors'], description: 'Boiler room', createdAt: '2026-11-27T05:30:00.000Z', updatedAt: '2026-11-27T05:30:00.000Z' }] },
);

export const CredentialSchema = Type.Object(
  {
    id: IdSchema,
    userId: IdSchema,
    label: Type.Union([Type.String(), Type.Null()]),
    clientIdPattern: Type.Union([Type.String(), Type.Null()]),
    expiresAt: NullableDateTime,
    revoked: Type.Boolean(),
    lastUsedAt: NullableDateTime,
    createdAt: DateTimeSchema,
  },
  { title: 'Credential', description: 'A password of an MQTT user; the secret itself is never returned.', additionalProperties: false, examples: [{ id: '7a9b1c3d-5e7f-4a1b-9c3d-5e7f9a1b3c5d', userId: '2c4e6a8b-1d3f-4a5b-8c7d-9e0f1a2b3c4d', label: 'factory', clientIdPattern: 'sensor-001*', expiresAt: null, revoked: false, lastUsedAt: null, createdAt: '2026-11-27T05:30:00.000Z' }] },
);

const CreatedCredentialSchema = Type.Object(
  {
    ...CredentialSchema.properties,
    password: Type.Optional(Type.String({ description: 'The generated password (only when none was supplied). Shown in this response only.' })),
  },
  { title: 'CreatedCredential', additionalProperties: false, examples: [{ id: '7a9b1c3d-5e7f-4a1b-9c3d-5e7f9a1b3c5d', userId: '2c4e6a8b-1d3f-4a5b-8c7d-9e0f1a2b3c4d', label: 'factory', clientIdPattern: null, expiresAt: null, revoked: false, lastUsedAt: null, createdAt: '2026-11-27T05:30:00.000Z', password: 'q3JrX0m0b2k8ZC1wV3l0aE5xS0xHYk5w' }] },
);

const UserParams = Type.Object({ userId: IdSchema }, { additionalProperties: false });
const CredentialParams = Type.Object({ userId: IdSchema, credentialId: IdSchema }, { additionalProperties: false });

export interface MqttUsersRoutesOptions {
  service: MqttUserService;
  bulk: MqttUserBulkService;
  exporter: MqttUserExportService;
}

/** Items one bulk request may carry. */
export const BULK_MAX_ITEMS = 5000;
/** Bytes one bulk request may carry (the API's default is 64 KiB): ~1 KiB per item. */
export const BULK_BODY_LIMIT = 5 * 1024 * 1024;

const EXAMPLE_USER_ID = '2c4e6a8b-1d3f-4a5b-8c7d-9e0f1a2b3c4d';

const BulkItemSchema = Type.Object(
  {
    username: Username,
    password: Type.Optional(Type.String({ minLength: 8, maxLength: 1024, description: 'Absent: one is generated and returned once.' })),
    groups: Type.Optional(Groups),
    superuser: Type.Optional(Type.Boolean()),
    enabled: Type.Optional(Type.Boolean()),
    credentialLabel: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);

const BulkResultSchema = Type.Object(
  {
    index: Type.Integer({ minimum: 0 }),
    username: Type.String(),
    status: Type.Union([Type.Literal('created'), Type.Literal('error')]),
    userId: Type.Optional(IdSchema),
    credentialId: Type.Optional(IdSchema),
    password: Type.Optional(Type.String({ description: 'Generated password (the item had none). Shown in this response only.' })),
    error: Type.Optional(Type.Object({ code: Type.String(), detail: Type.String() }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

const ExportedUserSchema = Type.Object(
  {
    id: IdSchema,
    username: Type.String(),
    enabled: Type.Boolean(),
    superuser: Type.Boolean(),
    groups: Type.Array(Type.String()),
    description: Type.Union([Type.String(), Type.Null()]),
    credentials: Type.Integer({ description: 'Credentials of the user (secrets are never exported).' }),
    activeCredentials: Type.Integer({ description: 'Of those, neither revoked nor expired.' }),
    createdAt: DateTimeSchema,
    updatedAt: DateTimeSchema,
  },
  { additionalProperties: false },
);

/** /api/v1/mqtt-users and their credentials: operators change them, viewers read them. */
export const mqttUsersRoutes: FastifyPluginAsyncTypebox<MqttUsersRoutesOptions> = async (app, { service, bulk, exporter }) => {
  const tags = ['mqtt-users'];
  const read = requireRole('viewer');
  const write = requireRole('operator');

  app.post(
    '/',
    {
      preHandler: write,
      schema: {
        operationId: 'createMqttUser',
        summary: 'Create an MQTT user',
        tags,
        body: Type.Object(
          { username: Username, enabled: Type.Optional(Type.Boolean()), superuser: Type.Optional(Type.Boolean()), groups: Type.Optional(Groups), description: Type.Optional(Description) },
          { additionalProperties: false, examples: [{ username: 'sensor-001', groups: ['sensors'], description: 'Boiler room' }] },
        ),
        response: { 201: MqttUserSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await service.create(actorOf(request), request.body)),
  );

  app.get(
    '/',
    {
      preHandler: read,
      schema: {
        operationId: 'listMqttUsers',
        summary: 'List MQTT users by username (cursor pagination, optional username prefix)',
        tags,
        querystring: Type.Object({ ...PageQuery, username: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Username prefix.' })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(MqttUserSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false }) },
      },
    },
    async (request) => service.list(request.query),
  );

  app.post(
    '/bulk',
    {
      preHandler: write,
      bodyLimit: BULK_BODY_LIMIT,
      schema: {
        operationId: 'bulkCreateMqttUsers',
        summary: `Create up to ${BULK_MAX_ITEMS} MQTT users with a credential each, all-or-nothing or best-effort`,
        description:
          'Every item gets one credential: its `password`, or a generated one returned once in `results[].password`. ' +
          '`all-or-nothing`: nothing is written unless every item can be (every item then reports an error). ' +
          '`best-effort`: the good items are written and the others report `error`. A body that breaks the schema (e.g. one item with an unknown field) is refused whole (400). ' +
          `Passwords are hashed with argon2id a few at a time: expect about 20-50 ms per item on 2 cores. Bodies up to ${BULK_BODY_LIMIT / 1024 / 1024} MiB.`,
        tags,
        body: Type.Object(
          {
            items: Type.Array(BulkItemSchema, { minItems: 1, maxItems: BULK_MAX_ITEMS }),
            mode: Type.Union([Type.Literal('all-or-nothing'), Type.Literal('best-effort')]),
          },
          {
            additionalProperties: false,
            examples: [{ mode: 'all-or-nothing', items: [{ username: 'sensor-001', groups: ['sensors'] }, { username: 'sensor-002', password: 'chosen-secret-123', credentialLabel: 'factory' }] }],
          },
        ),
        response: {
          200: Type.Object(
            { created: Type.Integer({ minimum: 0 }), failed: Type.Integer({ minimum: 0 }), results: Type.Array(BulkResultSchema) },
            {
              additionalProperties: false,
              examples: [
                {
                  created: 2,
                  failed: 0,
                  results: [
                    { index: 0, username: 'sensor-001', status: 'created', userId: EXAMPLE_USER_ID, credentialId: '7a9b1c3d-5e7f-4a1b-9c3d-5e7f9a1b3c5d', password: 'q3JrX0m0b2k8ZC1wV3l0aE5xS0xHYk5w' },
                    { index: 1, username: 'sensor-002', status: 'created', userId: '8b0c2d4e-6f8a-4b2c-8d4e-6f8a0b2c4d6e', credentialId: '9c1d3e5f-7a9b-4c3d-9e5f-7a9b1c3d5e7f' },
                  ],
                },
              ],
            },
          ),
        },
      },
    },
    async (request) => bulk.create(actorOf(request), request.body),
  );

  app.get(
    '/export',
    {
      preHandler: read,
      schema: {
        operationId: 'exportMqttUsers',
        summary: 'Export every MQTT user as JSON or CSV (never secrets)',
        description: `CSV columns: ${EXPORT_COLUMNS.join(', ')}; RFC 4180 quoting, CRLF line ends, groups as a JSON array, cells starting with = + - @ tab or CR prefixed with ' (spreadsheet formula injection).`,
        tags,
        querystring: Type.Object(
          { format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json', examples: ['csv'] })) },
          { additionalProperties: false },
        ),
        response: {
          200: {
            description: 'All users, streamed.',
            content: {
              'application/json': {
                schema: Type.Object(
                  { exportedAt: DateTimeSchema, items: Type.Array(ExportedUserSchema) },
                  {
                    additionalProperties: false,
                    examples: [
                      {
                        exportedAt: '2026-11-27T05:40:00.000Z',
                        items: [{ id: EXAMPLE_USER_ID, username: 'sensor-001', enabled: true, superuser: false, groups: ['sensors'], description: null, credentials: 1, activeCredentials: 1, createdAt: '2026-11-27T05:30:00.000Z', updatedAt: '2026-11-27T05:30:00.000Z' }],
                      },
                    ],
                  },
                ),
              },
              'text/csv': {
                schema: Type.String({
                  examples: [`${EXPORT_COLUMNS.join(',')}\r\n${EXAMPLE_USER_ID},sensor-001,true,false,"[""sensors""]",,1,1,2026-11-27T05:30:00.000Z,2026-11-27T05:30:00.000Z\r\n`],
                }),
              },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const csv = request.query.format === 'csv';
      return reply
        .type(csv ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="mqtt-users.${csv ? 'csv' : 'json'}"`)
        // A stream is sent as is (no serializer); the schemas above document what it produces.
        .send((csv ? exporter.csv() : exporter.json()) as never);
    },
  );

  app.get(
    '/:userId',
    { preHandler: read, schema: { operationId: 'getMqttUser', summary: 'Get an MQTT user', tags, params: UserParams, response: { 200: MqttUserSchema } } },
    async (request) => service.get(request.params.userId),
  );

  app.patch(
    '/:userId',
    {
      preHandler: write,
      schema: {
        operationId: 'updateMqttUser',
        summary: 'Change an MQTT user (enabled, superuser, groups, description)',
        tags,
        params: UserParams,
        body: Type.Object(
          { enabled: Type.Optional(Type.Boolean()), superuser: Type.Optional(Type.Boolean()), groups: Type.Optional(Groups), description: Type.Optional(Description) },
          { additionalProperties: false, minProperties: 1, examples: [{ enabled: false }] },
        ),
        response: { 200: MqttUserSchema },
      },
    },
    async (request) => service.update(actorOf(request), request.params.userId, request.body),
  );

  app.delete(
    '/:userId',
    { preHandler: write, schema: { operationId: 'deleteMqttUser', summary: 'Delete an MQTT user and its credentials', tags, params: UserParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      await service.remove(actorOf(request), request.params.userId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/:userId/credentials',
    {
      preHandler: write,
      schema: {
        operationId: 'createCredential',
        summary: 'Add a password to an MQTT user (generated and shown once unless supplied)',
        tags,
        params: UserParams,
        body: Type.Object(
          {
            label: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            password: Type.Optional(Type.String({ minLength: 8, maxLength: 1024 })),
            clientIdPattern: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
            expiresAt: Type.Optional(DateTimeSchema),
          },
          { additionalProperties: false, examples: [{ label: 'factory', clientIdPattern: 'sensor-001*' }, { password: 'a-password-you-chose' }] },
        ),
        response: { 201: CreatedCredentialSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await service.createCredential(actorOf(request), request.params.userId, request.body)),
  );

  app.get(
    '/:userId/credentials',
    {
      preHandler: read,
      schema: { operationId: 'listCredentials', summary: 'List the credentials of an MQTT user (never secrets)', tags, params: UserParams, response: { 200: Type.Object({ items: Type.Array(CredentialSchema) }, { additionalProperties: false }) } },
    },
    async (request) => ({ items: await service.listCredentials(request.params.userId) }),
  );

  app.post(
    '/:userId/credentials/:credentialId/revoke',
    { preHandler: write, schema: { operationId: 'revokeCredential', summary: 'Revoke a credential (kept for the record)', tags, params: CredentialParams, response: { 200: CredentialSchema } } },
    async (request) => service.revokeCredential(actorOf(request), request.params.userId, request.params.credentialId),
  );

  app.delete(
    '/:userId/credentials/:credentialId',
    { preHandler: write, schema: { operationId: 'deleteCredential', summary: 'Delete a credential', tags, params: CredentialParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      await service.removeCredential(actorOf(request), request.params.userId, request.params.credentialId);
      return reply.code(204).send(null);
    },
  );
};
