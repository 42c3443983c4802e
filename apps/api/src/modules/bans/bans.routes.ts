import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { DateTimeSchema, IdSchema, NullableDateTime, PageQuery } from '../../lib/schemas.js';
import { actorOf, requireRole } from '../../plugins/auth.js';
import type { BanService } from './bans.service.js';

const Kind = Type.Union([Type.Literal('client_id'), Type.Literal('username'), Type.Literal('ip')]);

export const BanSchema = Type.Object(
  {
    id: IdSchema,
    kind: Kind,
    value: Type.String(),
    reason: Type.Union([Type.String(), Type.Null()]),
    createdAt: DateTimeSchema,
    expiresAt: NullableDateTime,
  },
  { title: 'Ban', additionalProperties: false, examples: [{ id: '5d7f9b1c-3e5a-4c7e-9b1d-3f5a7c9e1b3d', kind: 'ip', value: '203.0.113.0/24', reason: 'credential stuffing', createdAt: '2026-11-27T05:30:00.000Z', expiresAt: null }] },
);

export interface BansRoutesOptions {
  service: BanService;
}

/** /api/v1/bans: operators ban client ids, usernames and addresses; brokers refuse and disconnect them. */
export const bansRoutes: FastifyPluginAsyncTypebox<BansRoutesOptions> = async (app, { service }) => {
  const tags = ['bans'];

  app.get(
    '/',
    {
      preHandler: requireRole('viewer'),
      schema: {
        operationId: 'listBans',
        summary: 'List bans, newest first (cursor pagination)',
        tags,
        querystring: Type.Object({ ...PageQuery, kind: Type.Optional(Kind) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(BanSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false }) },
      },
    },
    async (request) => service.list(request.query),
  );

  app.post(
    '/',
    {
      preHandler: requireRole('operator'),
      schema: {
        operationId: 'addBan',
        summary: 'Ban a client id, a username or an IP address / CIDR block',
        tags,
        body: Type.Object(
          {
            kind: Kind,
            value: Type.String({ minLength: 1, maxLength: 256 }),
            reason: Type.Optional(Type.String({ maxLength: 500 })),
            expiresAt: Type.Optional(DateTimeSchema),
          },
          { additionalProperties: false, examples: [{ kind: 'ip', value: '203.0.113.0/24', reason: 'credential stuffing', expiresAt: '2026-11-28T05:30:00.000Z' }] },
        ),
        response: { 201: BanSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await service.add(actorOf(request), request.body)),
  );

  app.delete(
    '/:banId',
    {
      preHandler: requireRole('operator'),
      schema: { operationId: 'removeBan', summary: 'Lift a ban', tags, params: Type.Object({ banId: IdSchema }, { additionalProperties: false }), response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      await service.remove(actorOf(request), request.params.banId);
      return reply.code(204).send(null);
    },
  );
};
