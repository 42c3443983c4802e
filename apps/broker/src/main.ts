import { createDb, migrate } from '@repo/db';
import { createDatabaseAccessControl } from './auth/database-access-control.js';
import { createBroker } from './broker.js';
import { reloadBans } from './control/commands/reload-bans.js';
import { startPlatformControl } from './control/platform-control.js';
import { describeConfig, loadConfig } from './config.js';
import { createLogger } from './observability/logger.js';
import { reloadPolicies } from './control/commands/reload-policies.js';
import { createPostgresSessionStore } from './persistence/postgres-session-store.js';
import { SessionPolicyBook } from './policies/session-policy-book.js';
import { loadSessionPolicies } from './policies/session-policy-store.js';
import type { SessionStore } from './persistence/session-store.js';
import { createPostgresTracing, type PostgresTracing } from './tracing/postgres-tracing.js';

/** Entry point: load config, open the store (DATABASE_URL), restore, start listeners, stop gracefully on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  log.info({ config: describeConfig(config) }, 'effective configuration');
  let store: SessionStore | undefined;
  if (config.databaseUrl) {
    await migrate(config.databaseUrl, { log: (msg) => log.info(msg) });
    store = createPostgresSessionStore({
      databaseUrl: config.databaseUrl,
      batchMs: config.persistBatchMs,
      batchMax: config.persistBatchMax,
      onOutage: (error) => {
        if (error) log.warn({ err: error }, 'Postgres unreachable: serving connected clients, buffering durable writes (health: degraded)');
        else log.info('Postgres reachable again: buffered writes committed (health: ok)');
      },
    });
  } else {
    log.warn('DATABASE_URL is not set: broker state is kept in memory only and will not survive a restart');
  }
  const db = config.databaseUrl ? createDb(config.databaseUrl) : undefined;
  const access = db && config.databaseUrl ? await createDatabaseAccessControl({ db, databaseUrl: config.databaseUrl, config, log }) : undefined;
  const tracing: PostgresTracing | undefined = config.databaseUrl
    ? await createPostgresTracing({ databaseUrl: config.databaseUrl, nodeId: config.nodeId, log, retentionHours: config.traceRetentionHours, keepFinished: config.traceKeepFinished })
    : undefined;
  const policies = new SessionPolicyBook(config);
  if (db) {
    policies.replace(await loadSessionPolicies(db));
    log.info({ policies: policies.size }, 'session policies come from the database');
  }
  const broker = createBroker(config, {
    logger: log,
    policies,
    ...(tracing ? { tracer: tracing.tracer } : {}),
    ...(db ? { statsDb: db } : {}),
    ...(store ? { store } : {}),
    ...(access ? { authenticator: access.authenticator, authorizer: access.authorizer } : {}),
  });
  if (access && db) {
    await access.listen(() => broker.context.sessions.liveConnections(), {
      policiesChanged: async () => {
        await reloadPolicies({ db, book: policies, apply: () => broker.applyPolicies(), log });
      },
      ...(tracing ? { tracesChanged: () => tracing.reload() } : {}),
    });
    log.info({ rules: access.authorizer.ruleCount }, 'MQTT users, credentials and ACL rules come from the database');
  }
  const platform =
    db && config.databaseUrl
      ? await startPlatformControl({
          db,
          databaseUrl: config.databaseUrl,
          context: broker.context,
          ...(access ? { reloadBans: async () => void (await reloadBans({ db, bans: access.bans, connections: () => broker.context.sessions.liveConnections(), log })) } : {}),
        })
      : undefined;
  const addresses = await broker.listen();
  // Sessions restored from the store get their owner's policy (by username) rather than the configuration's.
  if (policies.size > 0) broker.applyPolicies();
  const lines = [`MQTT over TCP        mqtt://${config.host}:${addresses.mqtt}`];
  if (addresses.ws !== undefined) lines.push(`MQTT over WebSocket  ws://${config.host}:${addresses.ws}${config.wsPath}`);
  if (addresses.mqtts !== undefined) lines.push(`MQTT over TLS        mqtts://${config.host}:${addresses.mqtts}`);
  if (addresses.wss !== undefined) lines.push(`MQTT over WSS        wss://${config.host}:${addresses.wss}${config.wsPath}`);
  if (addresses.http !== undefined) lines.push(`metrics and health   http://${config.host}:${addresses.http}/metrics  /healthz  /readyz`);
  if (!config.allowAnonymous) lines.push('anonymous clients: refused (set MQTT_ALLOW_ANONYMOUS=true to allow)');
  log.info(`broker listening\n  ${lines.join('\n  ')}`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    broker
      .close()
      .then(() => platform?.stop())
      .then(() => access?.stop())
      .then(() => tracing?.close())
      .then(() => db?.$disconnect())
      .then(() => store?.close())
      .then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
