import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { DateTimeSchema, IdSchema, PageQuery } from '../../lib/schemas.js';
import { actorOf, requireRole } from '../../plugins/auth.js';
import type { AuditEventService } from './audit-events.service.js';

export const AuditEventSchema = Type.Object(
  {
    id: IdSchema,
    at: DateTimeSchema,
    actor: Type.String({ description: 'Who: `admin:<username> (token|session <id>)`, or `system`.' }),
    action: Type.String({ description: 'What, e.g. `mqtt-user.create`.' }),
    resource: Type.String({ description: 'Resource type, e.g. `mqtt-user`.' }),
    resourceId: Type.Union([Type.String(), Type.Null()]),
    before: Type.Unknown({ description: 'The resource before the change (secrets redacted); null when created.' }),
    after: Type.Unknown({ description: 'The resource after the change (secrets redacted); null when deleted.' }),
  },
  {
    title: 'AuditEvent',
    additionalProperties: false,
    examples: [
      {
        id: '0b5d3c1e-3e0f-4d8b-9f5e-2a7c6b1d9e01',
        at: '2026-11-27T05:31:12.345Z',
        actor: 'admin:alice (token 6f1c2a9e-6f0a-4c1e-9a55-1d2f3b4c5d6e)',
        action: 'mqtt-user.update',
        resource: 'mqtt-user',
        resourceId: '2c4e6a8b-1d3f-4a5b-8c7d-9e0f1a2b3c4d',
        before: { username: 'sensor-1', enabled: true },
        after: { username: 'sensor-1', enabled: false },
      },
    ],
  },
);

/** GET /api/v1/audit-events: who changed what, newest first. */
export const auditEventsRoutes: FastifyPluginAsyncTypebox<{ service: AuditEventService }> = async (app, { service }) => {
  app.get(
    '/',
    {
      preHandler: requireRole('operator'),
      schema: {
        operationId: 'listAuditEvents',
        summary: 'List audit events, newest first, with filters (operators do not see admin/token/session events)',
        tags: ['audit-events'],
        querystring: Type.Object(
          {
            ...PageQuery,
            actor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Case-insensitive substring of the actor.' })),
            action: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '^[a-z0-9.-]+\\*?$', description: 'Exact action, or a prefix ending in `*` (`mqtt-user.*`).' })),
            resource: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Resource type (`mqtt-user`, `acl-rule`, `admin`, ...).' })),
            resourceId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            since: Type.Optional(Type.String({ format: 'date-time', maxLength: 64, description: 'Inclusive lower bound of `at`.' })),
            until: Type.Optional(Type.String({ format: 'date-time', maxLength: 64, description: 'Exclusive upper bound of `at`.' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(AuditEventSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false }) },
      },
    },
    async (request) => service.list(actorOf(request), request.query),
  );
};
