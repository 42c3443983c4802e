import pino from 'pino';
import { buildApp } from './app.js';
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
  logger.info({ config }, 'effective configuration');

  const app = await buildApp({ logger, version: API_VERSION });
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
