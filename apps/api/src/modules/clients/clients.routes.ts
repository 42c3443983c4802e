import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { NullableDateTime, PageQuery } from '../../lib/schemas.js';
import { actorOf, requireRole } from '../../plugins/auth.js';
import { ClientDetailSchema, ClientPageSchema, ClientParams } from './clients.schemas.js';
import type { ClientService } from './clients.service.js';

const KickBody = Type.Object(
  {
    session: Type.Union([Type.Literal('keep'), Type.Literal('discard')], { description: "'discard' ends the session with the connection." }),
    will: Type.Union([Type.Literal('send'), Type.Literal('suppress')], { description: "'suppress' drops the client's will instead of publishing it." }),
    banSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 604800, description: 'Also ban the client id for this long (reconnections refused).' })),
  },
  { additionalProperties: false, examples: [{ session: 'discard', will: 'suppress', banSeconds: 600 }] },
);

const KickResponse = Type.Object(
  { clientId: Type.String(), kicked: Type.Literal(true), sessionDiscarded: Type.Boolean(), willPublished: Type.Boolean(), bannedUntil: NullableDateTime },
  { title: 'KickResult', additionalProperties: false, examples: [{ clientId: 'sensor-42', kicked: true, sessionDiscarded: true, willPublished: false, bannedUntil: '2026-11-27T05:10:00.000Z' }] },
);

export interface ClientsRoutesOptions {
  service: ClientService;
}

/** /api/v1/clients: connected clients and offline persistent sessions; operators kick and expire. */
export const clientsRoutes: FastifyPluginAsyncTypebox<ClientsRoutesOptions> = async (app, { service }) => {
  const tags = ['clients'];

  app.get(
    '/',
    {
      preHandler: requireRole('viewer'),
      schema: {
        operationId: 'listClients',
        summary: 'List connected clients and offline persistent sessions',
        description: 'Connected clients come from the presence rows the broker nodes keep current (counters refreshed every few seconds).',
        tags,
        querystring: Type.Object(
          {
            ...PageQuery,
            connected: Type.Optional(Type.Boolean()),
            username: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
            protocolVersion: Type.Optional(Type.Union([Type.Literal(3), Type.Literal(4), Type.Literal(5)])),
            ip: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            q: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Substring of the client id.' })),
            sort: Type.Optional(Type.Union([Type.Literal('clientId'), Type.Literal('connectedAt'), Type.Literal('-connectedAt')], { default: 'clientId' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: ClientPageSchema },
      },
    },
    async (request) => service.list(request.query),
  );

  app.get(
    '/:clientId',
    {
      preHandler: requireRole('viewer'),
      schema: {
        operationId: 'getClient',
        summary: 'One client with its subscriptions, queued messages (first 100) and in-flight messages',
        tags,
        params: ClientParams,
        response: { 200: ClientDetailSchema },
      },
    },
    async (request) => service.get(request.params.clientId),
  );

  app.post(
    '/:clientId/kick',
    {
      preHandler: requireRole('operator'),
      schema: {
        operationId: 'kickClient',
        summary: 'Disconnect a connected client (5.0: DISCONNECT 0x98), keeping or discarding its session, sending or suppressing its will',
        description: 'Answers once the broker node holding the client has acted; 504 API_ERR_BROKER_TIMEOUT when no node answers within 5 s.',
        tags,
        params: ClientParams,
        body: KickBody,
        response: { 200: KickResponse },
      },
    },
    async (request) => service.kick(actorOf(request), request.params.clientId, request.body),
  );

  app.delete(
    '/:clientId/session',
    {
      preHandler: requireRole('operator'),
      schema: {
        operationId: 'expireClientSession',
        summary: 'Expire a session: a connected client is disconnected (0x98) and its session discarded; an offline one is removed with its subscriptions and queue',
        tags,
        params: ClientParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await service.expireSession(actorOf(request), request.params.clientId);
      return reply.code(204).send(null);
    },
  );
};
