import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AclDefaults } from '@repo/acl';
import type { PrismaClient } from '@repo/db';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawReplyDefaultExpression, type RawRequestDefaultExpression, type RawServerDefault } from 'fastify';
import { generateSecret, hashPassword } from '@repo/passwords';
import { createAuditLog } from './lib/audit.js';
import { createControlNotifier } from './lib/control.js';
import { createAclRuleRepository } from './modules/acl-rules/acl-rules.repository.js';
import { aclRulesRoutes } from './modules/acl-rules/acl-rules.routes.js';
import { createAclRuleService } from './modules/acl-rules/acl-rules.service.js';
import { createBanRepository } from './modules/bans/bans.repository.js';
import { bansRoutes } from './modules/bans/bans.routes.js';
import { createBanService } from './modules/bans/bans.service.js';
import { createIdentityRepository } from './modules/api-tokens/api-tokens.repository.js';
import { apiTokensRoutes } from './modules/api-tokens/api-tokens.routes.js';
import { createApiTokenService } from './modules/api-tokens/api-tokens.service.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { createAuthService } from './modules/auth/auth.service.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { createMqttUserRepository } from './modules/mqtt-users/mqtt-users.repository.js';
import { mqttUsersRoutes } from './modules/mqtt-users/mqtt-users.routes.js';
import { createMqttUserService } from './modules/mqtt-users/mqtt-users.service.js';
import { createTraceNotifications } from './modules/traces/trace-notifications.js';
import { createTraceRepository } from './modules/traces/traces.repository.js';
import { tracesRoutes } from './modules/traces/traces.routes.js';
import { createTraceService } from './modules/traces/traces.service.js';
import { authPlugin } from './plugins/auth.js';
import { errorsPlugin } from './plugins/errors.js';
import { openApiPlugin } from './plugins/openapi.js';

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** What the /api/v1 modules need: the database and the settings they share with the broker. */
export interface ApiV1Deps {
  db: PrismaClient;
  /** Lifetime of tokens issued by POST /api/v1/auth/login. */
  loginTokenTtlSeconds: number;
  /** Login attempts per client IP per window (in memory). */
  loginRateLimit?: { max: number; windowMs: number };
  /** What the broker answers when no ACL rule matches (for explain). */
  aclDefaults?: AclDefaults;
  /** Postgres URL for LISTEN (live trace streams); without it streams poll. */
  databaseUrl?: string;
}

/** What the API needs from outside; main.ts builds it, tests build their own. */
export interface AppDeps {
  logger: FastifyBaseLogger;
  version: string;
  /** Seconds the process has been up; defaults to process.uptime(). */
  uptimeSeconds?: () => number;
  /** The /api/v1 routes are registered only when given (main.ts always gives it). */
  api?: ApiV1Deps;
}

/**
 * The composition root: cross-cutting plugins first, then the modules, each registered here
 * explicitly. Builds the app without listening, so tests can `inject` or listen on port 0.
 */
export async function buildApp(deps: AppDeps): Promise<App> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: 64 * 1024,
    // Unknown fields are rejected (400), not silently dropped; scalars only are coerced (query strings).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Cross-cutting, not encapsulated: they apply to every route registered after them.
  await app.register(errorsPlugin);
  await app.register(openApiPlugin, { version: deps.version });

  // Public modules: reachable without credentials, by design (as are /openapi.json and /docs).
  await app.register(healthRoutes, { version: deps.version, uptimeSeconds: deps.uptimeSeconds ?? (() => process.uptime()) });

  if (deps.api) await app.register(apiV1(deps.api), { prefix: '/api/v1' });
  return app;
}

/** Services built once from the deps; exported for main.ts (first admin) and tests. */
export function createServices(api: ApiV1Deps) {
  const audit = createAuditLog(api.db);
  const identity = createIdentityRepository(api.db);
  const tokens = createApiTokenService({ repo: identity, audit });
  const auth = createAuthService({ repo: identity, tokens, audit, loginTokenTtlSeconds: api.loginTokenTtlSeconds });
  const control = createControlNotifier(api.db);
  const mqttUsers = createMqttUserService({ repo: createMqttUserRepository(api.db), hasher: { hash: hashPassword, generate: generateSecret }, control, audit });
  const aclRules = createAclRuleService({ repo: createAclRuleRepository(api.db), control, audit, ...(api.aclDefaults ? { defaults: api.aclDefaults } : {}) });
  const bans = createBanService({ repo: createBanRepository(api.db), control, audit });
  const traces = createTraceService({ repo: createTraceRepository(api.db), control, audit });
  return { audit, tokens, auth, mqttUsers, aclRules, bans, traces };
}

function apiV1(api: ApiV1Deps) {
  const services = createServices(api);
  return async (v1: App): Promise<void> => {
    // Public: how a token is obtained.
    await v1.register(authRoutes, { prefix: '/auth', service: services.auth, loginRateLimit: api.loginRateLimit ?? { max: 10, windowMs: 60_000 } });

    // Everything else: one encapsulated scope whose first plugin authenticates every request.
    await v1.register(async (authenticated) => {
      await authenticated.register(authPlugin, { authenticate: services.tokens.authenticate });
      await authenticated.register(apiTokensRoutes, { prefix: '/api-tokens', service: services.tokens });
      await authenticated.register(mqttUsersRoutes, { prefix: '/mqtt-users', service: services.mqttUsers });
      await authenticated.register(aclRulesRoutes, { prefix: '/acl-rules', service: services.aclRules });
      await authenticated.register(bansRoutes, { prefix: '/bans', service: services.bans });
      const notifications = api.databaseUrl ? createTraceNotifications(api.databaseUrl, authenticated.log) : undefined;
      if (notifications) authenticated.addHook('onClose', () => notifications.close());
      await authenticated.register(tracesRoutes, { prefix: '/traces', service: services.traces, ...(notifications ? { notifications } : {}) });
    });
  };
}
