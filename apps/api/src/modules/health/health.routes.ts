import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type, { type Static } from 'typebox';

export const HealthSchema = Type.Object(
  {
    status: Type.Literal('ok'),
    version: Type.String({ description: 'Version of the API.' }),
    uptimeSeconds: Type.Integer({ minimum: 0, description: 'Seconds since the API process started.' }),
  },
  { title: 'Health', description: 'The API is up.', examples: [{ status: 'ok', version: '0.1.0', uptimeSeconds: 3600 }] },
);
export type Health = Static<typeof HealthSchema>;

export interface HealthRoutesOptions {
  version: string;
  uptimeSeconds: () => number;
}

/** GET /health: liveness. Public on purpose (load balancers and the console's status panel). */
export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, options) => {
  app.get(
    '/health',
    {
      schema: {
        operationId: 'getHealth',
        summary: 'Liveness of the API',
        tags: ['meta'],
        response: { 200: HealthSchema },
      },
    },
    async (): Promise<Health> => ({
      status: 'ok',
      version: options.version,
      uptimeSeconds: Math.max(0, Math.floor(options.uptimeSeconds())),
    }),
  );
};
