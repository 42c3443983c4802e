import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { DateTimeSchema, IdSchema, NullableDateTime } from '../../lib/schemas.js';
import { RoleSchema } from '../../lib/roles.js';
import { actorOf, requireRole } from '../../plugins/auth.js';
import type { ApiTokenService } from './api-tokens.service.js';

export const ApiTokenSchema = Type.Object(
  {
    id: IdSchema,
    adminId: IdSchema,
    name: Type.String(),
    role: RoleSchema,
    expiresAt: NullableDateTime,
    lastUsedAt: NullableDateTime,
    createdAt: DateTimeSchema,
  },
  { title: 'ApiToken', additionalProperties: false, examples: [{ id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', adminId: '6f1c2a9e-6f0a-4c1e-9a55-1d2f3b4c5d6e', name: 'ci', role: 'operator', expiresAt: '2026-12-27T05:30:00.000Z', lastUsedAt: null, createdAt: '2026-11-27T05:30:00.000Z' }] },
);

export const CreatedApiTokenSchema = Type.Object(
  {
    ...ApiTokenSchema.properties,
    token: Type.String({ description: 'The bearer token. Shown in this response only; store it now.' }),
  },
  { title: 'CreatedApiToken', additionalProperties: false, examples: [{ id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', adminId: '6f1c2a9e-6f0a-4c1e-9a55-1d2f3b4c5d6e', name: 'ci', role: 'operator', expiresAt: '2026-12-27T05:30:00.000Z', lastUsedAt: null, createdAt: '2026-11-27T05:30:00.000Z', token: 'mqp_3q2-7wEhYt0bXo8m1kJ9yZ4vL6nR5sT0uV2wX3yZ4aB' }] },
);

const CreateApiTokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    role: Type.Optional(RoleSchema),
    ttlSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 60 * 60 * 24 * 366 })),
  },
  { additionalProperties: false, examples: [{ name: 'ci', role: 'operator', ttlSeconds: 2592000 }] },
);

export interface ApiTokensRoutesOptions {
  service: ApiTokenService;
}

/** /api/v1/api-tokens: admins manage API tokens. */
export const apiTokensRoutes: FastifyPluginAsyncTypebox<ApiTokensRoutesOptions> = async (app, { service }) => {
  const tags = ['api-tokens'];
  app.post(
    '/',
    {
      preHandler: requireRole('admin'),
      schema: { operationId: 'createApiToken', summary: 'Create an API token (shown once)', tags, body: CreateApiTokenBody, response: { 201: CreatedApiTokenSchema } },
    },
    async (request, reply) => reply.code(201).send(await service.create(actorOf(request), request.body)),
  );
  app.get(
    '/',
    {
      preHandler: requireRole('admin'),
      schema: { operationId: 'listApiTokens', summary: 'List API tokens (never the tokens themselves)', tags, response: { 200: Type.Object({ items: Type.Array(ApiTokenSchema) }, { additionalProperties: false }) } },
    },
    async () => ({ items: await service.list() }),
  );
  app.delete(
    '/:tokenId',
    {
      preHandler: requireRole('admin'),
      schema: { operationId: 'deleteApiToken', summary: 'Delete (revoke) an API token', tags, params: Type.Object({ tokenId: IdSchema }, { additionalProperties: false }), response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      await service.remove(actorOf(request), request.params.tokenId);
      return reply.code(204).send(null);
    },
  );
};
