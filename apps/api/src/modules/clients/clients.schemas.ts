import Type from 'typebox';
import { DateTimeSchema, NullableDateTime } from '../../lib/schemas.js';

const NullableString = Type.Union([Type.String(), Type.Null()]);
const Count = Type.Integer({ minimum: 0 });

/** A client id in a path segment (URL-encoded when it holds '/') or a query string. */
export const ClientIdSchema = Type.String({ minLength: 1, maxLength: 256, pattern: '^[^\\u0000]+$', description: 'MQTT client identifier (URL-encode it in paths).', examples: ['sensor-42'] });
export const ClientParams = Type.Object({ clientId: ClientIdSchema }, { additionalProperties: false });

export const ClientSchema = Type.Object(
  {
    clientId: Type.String(),
    username: NullableString,
    connected: Type.Boolean(),
    ip: NullableString,
    port: Type.Union([Type.Integer(), Type.Null()]),
    protocolVersion: Type.Union([Type.Literal(3), Type.Literal(4), Type.Literal(5)], { description: '3 = MQTT 3.1, 4 = 3.1.1, 5 = 5.0.' }),
    keepAlive: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'Seconds, as granted; null while offline.' }),
    cleanStart: Type.Boolean(),
    sessionExpiryInterval: Type.Integer({ minimum: 0, description: 'Seconds; 4294967295 = never expires.' }),
    connectedAt: NullableDateTime,
    disconnectedAt: NullableDateTime,
    node: Type.Union([Type.String(), Type.Null()], { description: 'Broker node holding the connection; null while offline.' }),
    subscriptions: Count,
    queued: Count,
    inflight: Count,
    dropped: Count,
    messagesIn: Count,
    messagesOut: Count,
    bytesIn: Count,
    bytesOut: Count,
  },
  {
    title: 'Client',
    additionalProperties: false,
    examples: [
      {
        clientId: 'sensor-42', username: 'sensor', connected: true, ip: '192.0.2.10', port: 53122, protocolVersion: 5, keepAlive: 60, cleanStart: false,
        sessionExpiryInterval: 3600, connectedAt: '2026-11-27T05:00:00.000Z', disconnectedAt: null, node: 'node-1', subscriptions: 2, queued: 0,
        inflight: 0, dropped: 0, messagesIn: 120, messagesOut: 80, bytesIn: 6400, bytesOut: 4100,
      },
    ],
  },
);

export const SubscriptionOptionsSchema = {
  topicFilter: Type.String(),
  qos: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)]),
  noLocal: Type.Boolean(),
  retainAsPublished: Type.Boolean(),
  retainHandling: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)]),
  subscriptionIdentifier: Type.Union([Type.Integer(), Type.Null()]),
};

export const ClientDetailSchema = Type.Object(
  {
    ...ClientSchema.properties,
    subscriptionList: Type.Array(Type.Object(SubscriptionOptionsSchema, { additionalProperties: false })),
    queuedMessages: Type.Array(Type.Object({ topic: Type.String(), qos: Type.Integer(), payloadSize: Count, enqueuedAt: DateTimeSchema }, { additionalProperties: false }), { description: 'The first 100.' }),
    inflightMessages: Type.Array(
      Type.Object({ packetId: Type.Integer(), topic: Type.String(), qos: Type.Integer(), state: Type.Union([Type.Literal('publish'), Type.Literal('pubrel')]) }, { additionalProperties: false }),
      { description: "'publish': PUBLISH sent, awaiting PUBACK/PUBREC; 'pubrel': awaiting PUBCOMP." },
    ),
  },
  { title: 'ClientDetail', additionalProperties: false },
);

export const ClientPageSchema = Type.Object({ items: Type.Array(ClientSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false });
