import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { DateTimeSchema, IdSchema, NullableDateTime, PageQuery } from '../../lib/schemas.js';
import { actorOf, requireRole } from '../../plugins/auth.js';
import { ClientPageSchema } from '../clients/clients.schemas.js';
import type { SessionService } from './sessions.service.js';

const ExpireJobSchema = Type.Object(
  {
    id: IdSchema,
    status: Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
    offlineForSeconds: Type.Integer({ minimum: 0 }),
    usernamePrefix: Type.Union([Type.String(), Type.Null()]),
    total: Type.Integer({ minimum: 0, description: 'Sessions selected when the job started.' }),
    done: Type.Integer({ minimum: 0, description: 'Sessions processed so far.' }),
    error: Type.Union([Type.String(), Type.Null()]),
    createdAt: DateTimeSchema,
    finishedAt: NullableDateTime,
  },
  {
    title: 'SessionExpireJob',
    additionalProperties: false,
    examples: [{ id: '7d1c7c1e-4a51-4a8a-9f0e-2b0c1f7f2b11', status: 'running', offlineForSeconds: 2592000, usernamePrefix: 'fleet-', total: 1200, done: 300, error: null, createdAt: '2026-11-27T05:00:00.000Z', finishedAt: null }],
  },
);

export interface SessionsRoutesOptions {
  service: SessionService;
}

/** /api/v1/sessions: persistent sessions, and bulk expiry as a job with progress. */
export const sessionsRoutes: FastifyPluginAsyncTypebox<SessionsRoutesOptions> = async (app, { service }) => {
  const tags = ['sessions'];

  app.get(
    '/',
    {
      preHandler: requireRole('viewer'),
      schema: {
        operationId: 'listSessions',
        summary: 'List persistent sessions (client objects), by client id',
        tags,
        querystring: Type.Object(
          { ...PageQuery, offlineForSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 4294967295, description: 'Only offline sessions disconnected at least this long ago.' })) },
          { additionalProperties: false },
        ),
        response: { 200: ClientPageSchema },
      },
    },
    async (request) => service.list(request.query),
  );

  app.post(
    '/expire-jobs',
    {
      preHandler: requireRole('operator'),
      schema: {
        operationId: 'createSessionExpireJob',
        summary: 'Expire offline persistent sessions in bulk (offline for at least N seconds, optionally by username prefix); poll the job for progress',
        tags,
        body: Type.Object(
          {
            offlineForSeconds: Type.Integer({ minimum: 0, maximum: 4294967295 }),
            usernamePrefix: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
          },
          { additionalProperties: false, examples: [{ offlineForSeconds: 2592000, usernamePrefix: 'fleet-' }] },
        ),
        response: { 202: ExpireJobSchema },
      },
    },
    async (request, reply) => reply.code(202).send(await service.createExpireJob(actorOf(request), request.body)),
  );

  app.get(
    '/expire-jobs/:jobId',
    {
      preHandler: requireRole('viewer'),
      schema: {
        operationId: 'getSessionExpireJob',
        summary: 'Progress of a bulk session expiry',
        tags,
        params: Type.Object({ jobId: IdSchema }, { additionalProperties: false }),
        response: { 200: ExpireJobSchema },
      },
    },
    async (request) => service.getExpireJob(request.params.jobId),
  );
};
