import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { PageQuery } from '../../lib/schemas.js';
import { requireRole } from '../../plugins/auth.js';
import { ClientIdSchema, SubscriptionOptionsSchema } from '../clients/clients.schemas.js';
import type { SubscriptionService } from './subscriptions.service.js';

const SubscriptionSchema = Type.Object(
  { clientId: Type.String(), ...SubscriptionOptionsSchema, connected: Type.Boolean() },
  { title: 'Subscription', additionalProperties: false, examples: [{ clientId: 'sensor-42', topicFilter: 'commands/sensor-42/#', qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0, subscriptionIdentifier: null, connected: true }] },
);

export interface SubscriptionsRoutesOptions {
  service: SubscriptionService;
}

/** /api/v1/subscriptions: subscriptions across clients. */
export const subscriptionsRoutes: FastifyPluginAsyncTypebox<SubscriptionsRoutesOptions> = async (app, { service }) => {
  app.get(
    '/',
    {
      preHandler: requireRole('viewer'),
      schema: {
        operationId: 'listSubscriptions',
        summary: 'List subscriptions of persistent sessions, by client id and topic filter',
        description: 'Subscriptions of clean (non-persistent) sessions are held by their broker node only: see GET /clients/{clientId}.',
        tags: ['subscriptions'],
        querystring: Type.Object(
          { ...PageQuery, topicFilter: Type.Optional(Type.String({ minLength: 1, maxLength: 65535, description: 'Exact topic filter.' })), clientId: Type.Optional(ClientIdSchema) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(SubscriptionSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false }) },
      },
    },
    async (request) => service.list(request.query),
  );
};
