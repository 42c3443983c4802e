import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from './logger.js';

/** What /readyz reports: ready when the listeners are up and the database answers. */
export interface Readiness {
  ready: boolean;
  listeners: 'up' | 'down';
  /** The durable store as the write path sees it ('degraded' while its writes fail). */
  store: 'none' | 'ok' | 'degraded';
  /** A SELECT 1 just now. */
  database: 'none' | 'ok' | 'unreachable';
}

export interface BrokerHttpServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The broker's own HTTP endpoints (BROKER_HTTP_PORT): GET /metrics (Prometheus text format),
 * /healthz (liveness: the process answers) and /readyz (readiness: 200 or 503 with the reasons).
 */
export async function startBrokerHttpServer(options: {
  host: string;
  port: number;
  registry: Registry;
  readiness: () => Promise<Readiness>;
  log: Logger;
}): Promise<BrokerHttpServer> {
  const { registry, log } = options;
  const json = (response: http.ServerResponse, status: number, body: unknown): void => {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    response.end(JSON.stringify(body));
  };
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const answer = async (): Promise<void> => {
      if (path === '/metrics') {
        const text = await registry.metrics();
        response.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
        response.end(text);
      } else if (path === '/healthz') {
        json(response, 200, { status: 'ok' });
      } else if (path === '/readyz') {
        const readiness = await options.readiness();
        json(response, readiness.ready ? 200 : 503, { status: readiness.ready ? 'ready' : 'not-ready', ...readiness });
      } else {
        json(response, 404, { status: 'not-found', paths: ['/metrics', '/healthz', '/readyz'] });
      }
    };
    answer().catch((error: unknown) => {
      log.error({ err: error, path }, 'broker HTTP endpoint failed');
      if (!response.headersSent) json(response, 500, { status: 'error' });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
