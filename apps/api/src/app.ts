import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AclDefaults } from '@repo/acl';
import type { PrismaClient } from '@repo/db';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawReplyDefaultExpression, type RawRequestDefaultExpression, type RawServerDefault } from 'fastify';
import cookie from '@fastify/cookie';
import { generateSecret, hashPassword } from '@repo/passwords';
import { createAuditLog } from './lib/audit.js';
import { createBrokerCommandClient } from './lib/broker-commands.js';
import { createControlNotifier } from './lib/control.js';
import { createAclRuleRepository } from './modules/acl-rules/acl-rules.repository.js';
import { aclRulesRoutes } from './modules/acl-rules/acl-rules.routes.js';
import { createAclRuleService } from './modules/acl-rules/acl-rules.service.js';
import { createConnectedClientRepository } from './modules/acl-rules/connected-clients.repository.js';
import { createBanRepository } from './modules/bans/bans.repository.js';
import { bansRoutes } from './modules/bans/bans.routes.js';
import { createBanService } from './modules/bans/bans.service.js';
import { createIdentityRepository } from './modules/api-tokens/api-tokens.repository.js';
import { apiTokensRoutes } from './modules/api-tokens/api-tokens.routes.js';
import { createApiTokenService } from './modules/api-tokens/api-tokens.service.js';
import { createAdminRepository } from './modules/admins/admins.repository.js';
import { adminsRoutes } from './modules/admins/admins.routes.js';
import { createAdminService } from './modules/admins/admins.service.js';
import { createAuditEventRepository } from './modules/audit-events/audit-events.repository.js';
import { auditEventsRoutes } from './modules/audit-events/audit-events.routes.js';
import { createAuditEventService } from './modules/audit-events/audit-events.service.js';
import { authRoutes, sessionRoutes } from './modules/auth/auth.routes.js';
import { createAuthService } from './modules/auth/auth.service.js';
import { createConsoleSessionRepository } from './modules/auth/console-sessions.repository.js';
import { createConsoleSessionService, type ConsoleSessionSettings } from './modules/auth/console-sessions.service.js';
import { createClientRepository } from './modules/clients/clients.repository.js';
import { clientsRoutes } from './modules/clients/clients.routes.js';
import { createClientService } from './modules/clients/clients.service.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { createSessionPolicyRepository } from './modules/session-policies/session-policies.repository.js';
import { sessionPoliciesRoutes } from './modules/session-policies/session-policies.routes.js';
import { createSessionPolicyService } from './modules/session-policies/session-policies.service.js';
import { createStatsRepository } from './modules/stats/stats.repository.js';
import { statsRoutes } from './modules/stats/stats.routes.js';
import { createStatsService } from './modules/stats/stats.service.js';
import { createMqttUserRepository } from './modules/mqtt-users/mqtt-users.repository.js';
import { mqttUsersRoutes } from './modules/mqtt-users/mqtt-users.routes.js';
import { createMqttUserService } from './modules/mqtt-users/mqtt-users.service.js';
import { createMqttUserBulkRepository } from './modules/mqtt-users/mqtt-users-bulk.repository.js';
import { createMqttUserBulkService } from './modules/mqtt-users/mqtt-users-bulk.service.js';
import { createMqttUserExportService } from './modules/mqtt-users/mqtt-users-export.service.js';
import { publishRoutes } from './modules/publish/publish.routes.js';
import { createPublishService } from './modules/publish/publish.service.js';
import { createRetainedMessageRepository } from './modules/retained-messages/retained-messages.repository.js';
import { retainedMessagesRoutes } from './modules/retained-messages/retained-messages.routes.js';
import { createRetainedMessageService } from './modules/retained-messages/retained-messages.service.js';
import { createSessionRepository } from './modules/sessions/sessions.repository.js';
import { sessionsRoutes } from './modules/sessions/sessions.routes.js';
import { createSessionService } from './modules/sessions/sessions.service.js';
import { createSubscriptionRepository } from './modules/subscriptions/subscriptions.repository.js';
import { subscriptionsRoutes } from './modules/subscriptions/subscriptions.routes.js';
import { createSubscriptionService } from './modules/subscriptions/subscriptions.service.js';
import { createTraceNotifications } from './modules/traces/trace-notifications.js';
import { createTraceRepository } from './modules/traces/traces.repository.js';
import { tracesRoutes } from './modules/traces/traces.routes.js';
import { createTraceService } from './modules/traces/traces.service.js';
import { authPlugin } from './plugins/auth.js';
import { errorsPlugin } from './plugins/errors.js';
import { createValidatorCompiler } from './lib/validator-compiler.js';
import { metricsPlugin } from './plugins/metrics.js';
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
  /** argon2id hashes one bulk request computes at once (default: one per core, at most 4). */
  bulkHashConcurrency?: number;
  /** Console session lifetimes; 12 h idle and 7 days at most unless given. */
  consoleSessions?: ConsoleSessionSettings;
  /** The database URL, for the LISTEN connections of broker command replies (kick, expire, retained, publish) and live trace streams. */
  databaseUrl?: string;
  /** How long a broker command may take before API_ERR_BROKER_TIMEOUT (504); default 5000 ms. */
  brokerCommandTimeoutMs?: number;
}

/** What the API needs from outside; main.ts builds it, tests build their own. */
export interface AppDeps {
  logger: FastifyBaseLogger;
  version: string;
  /** Seconds the process has been up; defaults to process.uptime(). */
  uptimeSeconds?: () => number;
  /** The /api/v1 routes are registered only when given (main.ts always gives it). */
  api?: ApiV1Deps;
  /**
   * Fastify's trustProxy (API_TRUST_PROXY): which proxies' X-Forwarded-For/-Proto to believe, so
   * that rate limits key on the client's address and cookies get Secure behind a TLS proxy.
   */
  trustProxy?: boolean | string;
}

/**
 * The composition root: cross-cutting plugins first, then the modules, each registered here
 * explicitly. Builds the app without listening, so tests can `inject` or listen on port 0.
 */
export async function buildApp(deps: AppDeps): Promise<App> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: 64 * 1024,
    // Client ids travel in path segments (up to 256 characters, more once URL-encoded).
    routerOptions: { maxParamLength: 1024 },
    ...(deps.trustProxy !== undefined ? { trustProxy: deps.trustProxy } : {}),
  }).withTypeProvider<TypeBoxTypeProvider>();
  // Unknown fields are rejected (400), not silently dropped; only text (query, params, headers) is coerced.
  app.setValidatorCompiler(createValidatorCompiler());

  // Cross-cutting, not encapsulated: they apply to every route registered after them.
  await app.register(errorsPlugin);
  await app.register(openApiPlugin, { version: deps.version });
  await app.register(cookie);
  await app.register(metricsPlugin);

  // Public modules: reachable without credentials, by design (as are /openapi.json, /docs and /metrics).
  const db = deps.api?.db;
  await app.register(healthRoutes, {
    version: deps.version,
    uptimeSeconds: deps.uptimeSeconds ?? (() => process.uptime()),
    ...(db ? { checkDatabase: () => checkDatabase(db) } : {}),
  });

  if (deps.api) await app.register(apiV1(deps.api), { prefix: '/api/v1' });
  return app;
}

/** Services built once from the deps; exported for main.ts (first admin) and tests. */
export function createServices(api: ApiV1Deps, log: Pick<FastifyBaseLogger, 'error'> = { error: () => {} }) {
  const audit = createAuditLog(api.db);
  const identity = createIdentityRepository(api.db);
  const tokens = createApiTokenService({ repo: identity, audit });
  const auth = createAuthService({ repo: identity, tokens, audit, loginTokenTtlSeconds: api.loginTokenTtlSeconds });
  const control = createControlNotifier(api.db);
  const mqttUsers = createMqttUserService({ repo: createMqttUserRepository(api.db), hasher: { hash: hashPassword, generate: generateSecret }, control, audit });
  const mqttUsersBulk = createMqttUserBulkService({ repo: createMqttUserBulkRepository(api.db), hasher: { hash: hashPassword, generate: generateSecret }, ...(api.bulkHashConcurrency ? { hashConcurrency: api.bulkHashConcurrency } : {}) });
  const mqttUsersExport = createMqttUserExportService({ db: api.db });
  const aclRules = createAclRuleService({ repo: createAclRuleRepository(api.db), clients: createConnectedClientRepository(api.db), control, audit, ...(api.aclDefaults ? { defaults: api.aclDefaults } : {}) });
  const bans = createBanService({ repo: createBanRepository(api.db), control, audit });
  const consoleSessions = createConsoleSessionService({ repo: createConsoleSessionRepository(api.db), audit, settings: api.consoleSessions ?? { idleSeconds: 12 * 3600, maxSeconds: 7 * 24 * 3600 } });
  const admins = createAdminService({ repo: createAdminRepository(api.db), audit, hasher: { hash: hashPassword } });
  const auditEvents = createAuditEventService({ repo: createAuditEventRepository(api.db) });
  const commands = createBrokerCommandClient({ db: api.db, databaseUrl: api.databaseUrl, ...(api.brokerCommandTimeoutMs !== undefined ? { timeoutMs: api.brokerCommandTimeoutMs } : {}) });
  const clientRepo = createClientRepository(api.db);
  const clients = createClientService({ repo: clientRepo, commands, control, audit });
  const sessions = createSessionService({ repo: createSessionRepository(api.db), clients: clientRepo, commands, audit, log });
  const subscriptions = createSubscriptionService({ repo: createSubscriptionRepository(api.db) });
  const retained = createRetainedMessageService({ repo: createRetainedMessageRepository(api.db), commands, audit });
  const publish = createPublishService({ commands, audit });
  const sessionPolicies = createSessionPolicyService({ repo: createSessionPolicyRepository(api.db), control, audit });
  const stats = createStatsService({ repo: createStatsRepository(api.db) });
  const traces = createTraceService({ repo: createTraceRepository(api.db), control, audit });
  return { audit, tokens, auth, consoleSessions, admins, auditEvents, mqttUsers, mqttUsersBulk, mqttUsersExport, aclRules, bans, commands, clients, sessions, subscriptions, retained, publish, sessionPolicies, stats, traces };
}

function apiV1(api: ApiV1Deps) {
  return async (v1: App): Promise<void> => {
    const services = createServices(api, v1.log);
    v1.addHook('onClose', async () => {
      await services.sessions.close();
      await services.commands.close();
    });
    // Public: how a token is obtained.
    await v1.register(authRoutes, { prefix: '/auth', service: services.auth, sessions: services.consoleSessions, loginRateLimit: api.loginRateLimit ?? { max: 10, windowMs: 60_000 } });

    // Everything else: one encapsulated scope whose first plugin authenticates every request.
    await v1.register(async (authenticated) => {
      await authenticated.register(authPlugin, {
        authenticate: services.tokens.authenticate,
        authenticateSession: services.consoleSessions.authenticate,
        verifyCsrf: services.consoleSessions.verifyCsrf,
      });
      await authenticated.register(sessionRoutes, { prefix: '/auth', sessions: services.consoleSessions });
      await authenticated.register(adminsRoutes, { prefix: '/admins', service: services.admins });
      await authenticated.register(auditEventsRoutes, { prefix: '/audit-events', service: services.auditEvents });
      await authenticated.register(apiTokensRoutes, { prefix: '/api-tokens', service: services.tokens });
      await authenticated.register(mqttUsersRoutes, { prefix: '/mqtt-users', service: services.mqttUsers, bulk: services.mqttUsersBulk, exporter: services.mqttUsersExport });
      await authenticated.register(aclRulesRoutes, { prefix: '/acl-rules', service: services.aclRules });
      await authenticated.register(bansRoutes, { prefix: '/bans', service: services.bans });
      await authenticated.register(clientsRoutes, { prefix: '/clients', service: services.clients });
      await authenticated.register(sessionsRoutes, { prefix: '/sessions', service: services.sessions });
      await authenticated.register(subscriptionsRoutes, { prefix: '/subscriptions', service: services.subscriptions });
      await authenticated.register(retainedMessagesRoutes, { prefix: '/retained', service: services.retained });
      await authenticated.register(publishRoutes, { prefix: '/publish', service: services.publish });
      await authenticated.register(sessionPoliciesRoutes, { prefix: '/session-policies', service: services.sessionPolicies });
      await authenticated.register(statsRoutes, { prefix: '/stats', service: services.stats });
      const notifications = api.databaseUrl ? createTraceNotifications(api.databaseUrl, authenticated.log) : undefined;
      if (notifications) authenticated.addHook('onClose', () => notifications.close());
      await authenticated.register(tracesRoutes, { prefix: '/traces', service: services.traces, ...(notifications ? { notifications } : {}) });
    });
  };
}

/** SELECT 1 within two seconds. */
async function checkDatabase(db: PrismaClient): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), 2000);
  });
  try {
    return await Promise.race([db.$queryRawUnsafe('SELECT 1').then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
