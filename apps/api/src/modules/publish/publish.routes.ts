import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { actorOf, requireRole } from '../../plugins/auth.js';
import type { PublishService } from './publish.service.js';

const PublishBody = Type.Object(
  {
    topic: Type.String({ minLength: 1, maxLength: 65535 }),
    payload: Type.String({ maxLength: 48 * 1024, description: 'The payload, as UTF-8 text or base64 (payloadEncoding).' }),
    payloadEncoding: Type.Union([Type.Literal('utf8'), Type.Literal('base64')]),
    qos: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)]),
    retain: Type.Optional(Type.Boolean()),
    properties: Type.Optional(
      Type.Object(
        {
          contentType: Type.Optional(Type.String({ maxLength: 256 })),
          messageExpiryInterval: Type.Optional(Type.Integer({ minimum: 0, maximum: 4294967295 })),
          userProperties: Type.Optional(Type.Array(Type.Tuple([Type.String({ maxLength: 1024 }), Type.String({ maxLength: 4096 })]), { maxItems: 64 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  {
    additionalProperties: false,
    examples: [{ topic: 'commands/sensor-42/reboot', payload: '{"delay":5}', payloadEncoding: 'utf8', qos: 1, retain: false, properties: { contentType: 'application/json', userProperties: [['source', 'console']] } }],
  },
);

export interface PublishRoutesOptions {
  service: PublishService;
}

/** /api/v1/publish: send a message into the broker as the platform (audited). */
export const publishRoutes: FastifyPluginAsyncTypebox<PublishRoutesOptions> = async (app, { service }) => {
  app.post(
    '/',
    {
      preHandler: requireRole('operator'),
      schema: {
        operationId: 'publishMessage',
        summary: 'Publish a message as the platform (no ACL check; topics starting with $ refused)',
        description: 'Answers once a broker node has routed the message (and committed it where durable); `matched` counts the sessions it matched on that node.',
        tags: ['publish'],
        body: PublishBody,
        response: { 200: Type.Object({ delivered: Type.Literal(true), matched: Type.Integer({ minimum: 0 }) }, { additionalProperties: false, examples: [{ delivered: true, matched: 3 }] }) },
      },
    },
    async (request) => service.publish(actorOf(request), request.body),
  );
};
