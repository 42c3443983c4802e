import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import Type from 'typebox';
import { globalPlugin } from '../lib/global-plugin.js';

/**
 * The API's Prometheus metrics at GET /metrics (outside /api/v1, public like /health): requests
 * by route template and status, their durations, and the Node.js process metrics. Registered
 * before the modules so that its hook sees every route.
 */
export const metricsPlugin = globalPlugin(
  async (app) => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const labelNames = ['method', 'route', 'status'] as const;
    const requests = new Counter({ name: 'api_http_requests_total', help: 'HTTP requests answered, by method, route template and status.', labelNames, registers: [registry] });
    const durations = new Histogram({
      name: 'api_http_request_duration_seconds',
      help: 'Time from request to response, by method, route template and status.',
      labelNames,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });

    app.addHook('onResponse', async (request, reply) => {
      // The template (/api/v1/mqtt-users/:userId), never the raw URL: label values stay few.
      const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
      requests.inc(labels);
      durations.observe(labels, reply.elapsedTime / 1000);
    });

    app.get(
      '/metrics',
      {
        schema: {
          operationId: 'getApiMetrics',
          summary: 'Prometheus metrics of the API (text format 0.0.4)',
          tags: ['meta'],
          produces: ['text/plain'],
          response: { 200: Type.String({ description: 'Prometheus text exposition format.' }) },
        },
      },
      async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()),
    );
  },
  { name: 'metrics' },
);
