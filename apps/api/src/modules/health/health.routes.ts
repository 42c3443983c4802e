import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type, { type Static } from 'typebox';

export const HealthSchema = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')], { description: 'unavailable: the database does not answer (HTTP 503).' }),
    version: Type.String({ description: 'Version of the API.' }),
    uptimeSeconds: Type.Integer({ minimum: 0, description: 'Seconds since the API process started.' }),
    database: Type.Optional(Type.Union([Type.Literal('ok'), Type.Literal('unreachable')], { description: 'A SELECT 1 just now (only when the API has a database).' })),
  },
  { title: 'Health', description: 'The API is up, and its database answers.' },
);
export type Health = Static<typeof HealthSchema>;

export interface HealthRoutesOptions {
  version: string;
  uptimeSeconds: () => number;
  /** Asks the database whether it answers (omitted when the API runs without one). */
  checkDatabase?: () => Promise<boolean>;
}

/**
 * GET /health: 200 while the API can serve, 503 when its database does not answer (so a load
 * balancer stops sending it requests). Public on purpose (load balancers, the console's status panel).
 */
export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, options) => {
  app.get(
    '/health',
    {
      schema: {
        operationId: 'getHealth',
        summary: 'Health of the API and its database',
        tags: ['meta'],
        response: { 200: HealthSchema, 503: HealthSchema },
      },
    },
    async (_request, reply): Promise<Health> => {
      const base = { version: options.version, uptimeSeconds: Math.max(0, Math.floor(options.uptimeSeconds())) };
      if (!options.checkDatabase) return { status: 'ok', ...base };
      const reachable = await options.checkDatabase().catch(() => false);
      if (!reachable) reply.code(503);
      return { status: reachable ? 'ok' : 'unavailable', ...base, database: reachable ? 'ok' : 'unreachable' };
    },
  );
};
