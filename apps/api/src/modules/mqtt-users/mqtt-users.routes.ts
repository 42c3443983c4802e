import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { DateTimeSchema, IdSchema, NullableDateTime, PageQuery } from '../../lib/schemas.js';
import { actorOf, requireRole } from '../../plugins/auth.js';
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
  { title: 'MqttUser', additionalProperties: false },
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
  { title: 'Credential', description: 'A password of an MQTT user; the secret itself is never returned.', additionalProperties: false },
);

const CreatedCredentialSchema = Type.Object(
  {
    ...CredentialSchema.properties,
    password: Type.Optional(Type.String({ description: 'The generated password (only when none was supplied). Shown in this response only.' })),
  },
  { title: 'CreatedCredential', additionalProperties: false },
);

const UserParams = Type.Object({ userId: IdSchema }, { additionalProperties: false });
const CredentialParams = Type.Object({ userId: IdSchema, credentialId: IdSchema }, { additionalProperties: false });

export interface MqttUsersRoutesOptions {
  service: MqttUserService;
}

/** /api/v1/mqtt-users and their credentials: operators change them, viewers read them. */
export const mqttUsersRoutes: FastifyPluginAsyncTypebox<MqttUsersRoutesOptions> = async (app, { service }) => {
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
          { additionalProperties: false },
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
          { additionalProperties: false, minProperties: 1 },
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
          { additionalProperties: false },
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
