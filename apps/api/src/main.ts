import pino from 'pino';
import { createDb, migrate, redactUrl, type PrismaClient } from '@repo/db';
import { buildApp, createServices, type ApiV1Deps } from './app.js';
import { loadConfig } from './config.js';
import { API_VERSION } from './version.js';

/** How long in-flight requests get to finish on SIGINT/SIGTERM before the process exits anyway. */
const CLOSE_GRACE_MS = 10_000;
/** Signals this close together count as one. */
const DUPLICATE_SIGNAL_MS = 1_000;

/** Entry point: load config, listen, print the address, close gracefully on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ name: 'api', level: config.logLevel });
  logger.info({ config: { ...config, adminPassword: config.adminPassword === undefined ? undefined : '[redacted]', databaseUrl: config.databaseUrl === undefined ? undefined : redactUrl(config.databaseUrl) } }, 'effective configuration');

  let api: ApiV1Deps | undefined;
  let db: PrismaClient | undefined;
  if (config.databaseUrl) {
    await migrate(config.databaseUrl);
    db = createDb(config.databaseUrl);
    api = {
      db,
      databaseUrl: config.databaseUrl,
      loginTokenTtlSeconds: config.loginTokenTtlSeconds,
      aclDefaults: { publish: config.aclDefaultPublish, subscribe: config.aclDefaultSubscribe },
    };
    const first = await createServices(api).auth.ensureFirstAdmin(config.adminPassword);
    if (first.generatedPassword !== undefined) {
      // Printed once, to the terminal only (not the structured log): it is not stored anywhere.
      process.stdout.write(`\nFirst admin created: username "admin", password "${first.generatedPassword}" (shown once; set ADMIN_PASSWORD to choose it)\n\n`);
    } else if (first.created) {
      logger.info('first admin "admin" created with ADMIN_PASSWORD');
    }
    logger.info({ database: redactUrl(config.databaseUrl) }, '/api/v1 enabled');
  } else {
    logger.warn('DATABASE_URL is not set: only /health and /openapi.json are served');
  }

  const app = await buildApp({ logger, version: API_VERSION, ...(api ? { api } : {}) });
  app.addHook('onClose', async () => {
    await db?.$disconnect();
  });
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  logger.info(`API listening on http://${shownHost}:${port} (OpenAPI at /openapi.json, docs at /docs)`);

  let closingSince: number | undefined;
  const close = (signal: NodeJS.Signals): void => {
    if (closingSince !== undefined) {
      // Ctrl-C reaches this process from the terminal and again through npm and tsx: ignore
      // those echoes; a deliberate second Ctrl-C later forces the exit.
      if (Date.now() - closingSince < DUPLICATE_SIGNAL_MS) return;
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    closingSince = Date.now();
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error(`requests still open after ${CLOSE_GRACE_MS} ms: exiting`);
      process.exit(1);
    }, CLOSE_GRACE_MS);
    timer.unref();
    app.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', close);
  process.on('SIGTERM', close);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
