import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawReplyDefaultExpression, type RawRequestDefaultExpression, type RawServerDefault } from 'fastify';
import { healthRoutes } from './modules/health/health.routes.js';
import { errorsPlugin } from './plugins/errors.js';
import { openApiPlugin } from './plugins/openapi.js';

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** What the API needs from outside; main.ts builds it, tests build their own. */
export interface AppDeps {
  logger: FastifyBaseLogger;
  version: string;
  /** Seconds the process has been up; defaults to process.uptime(). */
  uptimeSeconds?: () => number;
}

/**
 * The composition root: cross-cutting plugins first, then the modules, each registered here
 * explicitly. Builds the app without listening, so tests can `inject` or listen on port 0.
 */
export async function buildApp(deps: AppDeps): Promise<App> {
  const app = Fastify({ loggerInstance: deps.logger }).withTypeProvider<TypeBoxTypeProvider>();

  // Cross-cutting, not encapsulated: they apply to every route registered after them.
  await app.register(errorsPlugin);
  await app.register(openApiPlugin, { version: deps.version });

  // Public modules: reachable without credentials, by design (as are /openapi.json and /docs).
  await app.register(healthRoutes, { version: deps.version, uptimeSeconds: deps.uptimeSeconds ?? (() => process.uptime()) });

  // Every other module goes into one encapsulated scope that starts by registering the auth
  // plugin (an onRequest hook), so each route in it is authenticated and nothing above is:
  //   await app.register(async (authenticated) => {
  //     await authenticated.register(authPlugin, { ... });
  //     await authenticated.register(mqttUsersRoutes, { prefix: '/mqtt-users', service: ... });
  //   });

  return app;
}
