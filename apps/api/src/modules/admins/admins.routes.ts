import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { RoleSchema } from '../../lib/roles.js';
import { DateTimeSchema, IdSchema, PageQuery } from '../../lib/schemas.js';
import { actorOf, requireRole } from '../../plugins/auth.js';
import type { AdminService } from './admins.service.js';

const EXAMPLE_ID = '6f1c2a9e-6f0a-4c1e-9a55-1d2f3b4c5d6e';
const AdminUsername = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._@-]+$', description: 'Letters, digits and . _ @ -' });
const AdminPassword = Type.String({ minLength: 12, maxLength: 1024, description: 'At least 12 characters; stored as an argon2id hash.' });

export const AdminSchema = Type.Object(
  {
    id: IdSchema,
    username: Type.String(),
    role: RoleSchema,
    disabled: Type.Boolean({ description: 'A disabled admin can neither log in nor use its tokens or sessions.' }),
    createdAt: DateTimeSchema,
    updatedAt: DateTimeSchema,
  },
  {
    title: 'Admin',
    additionalProperties: false,
    examples: [{ id: EXAMPLE_ID, username: 'alice', role: 'operator', disabled: false, createdAt: '2026-11-27T05:30:00.000Z', updatedAt: '2026-11-27T05:30:00.000Z' }],
  },
);

const AdminParams = Type.Object({ adminId: IdSchema }, { additionalProperties: false });

export interface AdminsRoutesOptions {
  service: AdminService;
}

/** /api/v1/admins: admins manage who may use the API and the console. */
export const adminsRoutes: FastifyPluginAsyncTypebox<AdminsRoutesOptions> = async (app, { service }) => {
  const tags = ['admins'];
  const admin = requireRole('admin');

  app.get(
    '/',
    {
      preHandler: admin,
      schema: {
        operationId: 'listAdmins',
        summary: 'List admins by username (cursor pagination)',
        tags,
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(AdminSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false }) },
      },
    },
    async (request) => service.list(request.query),
  );

  app.post(
    '/',
    {
      preHandler: admin,
      schema: {
        operationId: 'createAdmin',
        summary: 'Create an admin (password hashed with argon2id)',
        tags,
        body: Type.Object(
          { username: AdminUsername, password: AdminPassword, role: RoleSchema },
          { additionalProperties: false, examples: [{ username: 'alice', password: 'a long passphrase here', role: 'operator' }] },
        ),
        response: { 201: AdminSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await service.create(actorOf(request), request.body)),
  );

  app.get(
    '/:adminId',
    { preHandler: admin, schema: { operationId: 'getAdmin', summary: 'Get an admin', tags, params: AdminParams, response: { 200: AdminSchema } } },
    async (request) => service.get(request.params.adminId),
  );

  app.patch(
    '/:adminId',
    {
      preHandler: admin,
      schema: {
        operationId: 'updateAdmin',
        summary: 'Change an admin: role, password, disabled (never leaves no enabled admin)',
        description: 'A new password or disabling ends the admin\'s console sessions. Demoting or disabling the last enabled admin answers 409 API_ERR_LAST_ADMIN.',
        tags,
        params: AdminParams,
        body: Type.Object(
          { role: Type.Optional(RoleSchema), password: Type.Optional(AdminPassword), disabled: Type.Optional(Type.Boolean()) },
          { additionalProperties: false, minProperties: 1, examples: [{ role: 'viewer' }, { disabled: true }] },
        ),
        response: { 200: AdminSchema },
      },
    },
    async (request) => service.update(actorOf(request), request.params.adminId, request.body),
  );

  app.delete(
    '/:adminId',
    {
      preHandler: admin,
      schema: {
        operationId: 'deleteAdmin',
        summary: 'Delete an admin and its tokens and sessions (never the last enabled admin)',
        tags,
        params: AdminParams,
        response: { 204: Type.Null({ description: 'Deleted.' }) },
      },
    },
    async (request, reply) => {
      await service.remove(actorOf(request), request.params.adminId);
      return reply.code(204).send(null);
    },
  );
};
