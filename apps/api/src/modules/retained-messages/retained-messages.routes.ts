import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { DateTimeSchema, NullableDateTime, PageQuery } from '../../lib/schemas.js';
import { actorOf, requireRole } from '../../plugins/auth.js';
import type { RetainedMessageService } from './retained-messages.service.js';

const NullableString = Type.Union([Type.String(), Type.Null()]);
const TopicQuery = Type.Object({ topic: Type.String({ minLength: 1, maxLength: 65535, description: 'Exact topic name.', examples: ['site/1/temperature'] }) }, { additionalProperties: false });

const RetainedSummarySchema = Type.Object(
  {
    topic: Type.String(),
    qos: Type.Integer({ minimum: 0, maximum: 2 }),
    payloadSize: Type.Integer({ minimum: 0 }),
    payloadPreview: Type.Union([Type.String({ maxLength: 240 }), Type.Null()], { description: 'First 120 characters when the payload is UTF-8; null when binary.' }),
    publisherClientId: NullableString,
    publisherUsername: NullableString,
    storedAt: DateTimeSchema,
    expiresAt: NullableDateTime,
  },
  { title: 'RetainedMessageSummary', additionalProperties: false, examples: [{ topic: 'site/1/temperature', qos: 1, payloadSize: 4, payloadPreview: '21.5', publisherClientId: 'sensor-42', publisherUsername: 'sensor', storedAt: '2026-11-27T05:00:00.000Z', expiresAt: null }] },
);

const RetainedMessageSchema = Type.Object(
  {
    topic: Type.String(),
    qos: Type.Integer({ minimum: 0, maximum: 2 }),
    payloadBase64: Type.String({ contentEncoding: 'base64' }),
    payloadText: Type.Union([Type.String(), Type.Null()], { description: 'The payload when it is valid UTF-8.' }),
    contentType: NullableString,
    payloadFormatIndicator: Type.Union([Type.Literal(0), Type.Literal(1), Type.Null()]),
    userProperties: Type.Array(Type.Tuple([Type.String(), Type.String()])),
    publisherClientId: NullableString,
    publisherUsername: NullableString,
    storedAt: DateTimeSchema,
    expiresAt: NullableDateTime,
  },
  { title: 'RetainedMessage', additionalProperties: false },
);

export interface RetainedRoutesOptions {
  service: RetainedMessageService;
}

/** /api/v1/retained: retained messages; operators delete them (brokers drop them from memory too). */
export const retainedMessagesRoutes: FastifyPluginAsyncTypebox<RetainedRoutesOptions> = async (app, { service }) => {
  const tags = ['retained'];

  app.get(
    '/',
    {
      preHandler: requireRole('viewer'),
      schema: {
        operationId: 'listRetainedMessages',
        summary: 'List retained messages whose topic matches a topic filter (wildcards allowed), by topic',
        tags,
        querystring: Type.Object({ ...PageQuery, filter: Type.Optional(Type.String({ minLength: 1, maxLength: 65535, default: '#', examples: ['site/+/temperature'] })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(RetainedSummarySchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false }) },
      },
    },
    async (request) => service.list(request.query),
  );

  app.get(
    '/message',
    {
      preHandler: requireRole('viewer'),
      schema: { operationId: 'getRetainedMessage', summary: 'One retained message, payload as base64 (and text when UTF-8)', tags, querystring: TopicQuery, response: { 200: RetainedMessageSchema } },
    },
    async (request) => service.get(request.query.topic),
  );

  app.delete(
    '/message',
    {
      preHandler: requireRole('operator'),
      schema: { operationId: 'deleteRetainedMessage', summary: 'Delete the retained message of a topic (brokers and store)', tags, querystring: TopicQuery, response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      await service.delete(actorOf(request), request.query.topic);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/delete',
    {
      preHandler: requireRole('operator'),
      schema: {
        operationId: 'deleteRetainedMessages',
        summary: 'Delete every retained message whose topic matches a filter',
        tags,
        body: Type.Object({ filter: Type.String({ minLength: 1, maxLength: 65535 }) }, { additionalProperties: false, examples: [{ filter: 'site/1/#' }] }),
        response: { 200: Type.Object({ deleted: Type.Integer({ minimum: 0 }) }, { additionalProperties: false, examples: [{ deleted: 12 }] }) },
      },
    },
    async (request) => service.deleteMatching(actorOf(request), request.body.filter),
  );
};
