import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { globalPlugin } from '../lib/global-plugin.js';
import { PROBLEM_CONTENT_TYPE, ProblemDetailsSchema } from '../lib/problem-details.js';

export interface OpenApiOptions {
  version: string;
}

/**
 * OpenAPI 3.1 document generated from the route schemas, served at GET /openapi.json, with
 * Swagger UI at /docs. Must be registered before any route so that every route is seen.
 * Every operation documents its errors as RFC 9457 problem details (see plugins/errors.ts).
 */
const openApi: FastifyPluginAsyncTypebox<OpenApiOptions> = async (app, options) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'MQTT Platform API',
        version: options.version,
        description:
          'Manages MQTT users, credentials, ACL rules and session policies, and shows clients, sessions and retained messages. Errors are RFC 9457 problem details with a stable `code`.',
      },
      security: [{ bearerAuth: [] }, { sessionCookie: [] }],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token (POST /api/v1/auth/login or /api/v1/api-tokens).' },
          sessionCookie: { type: 'apiKey', in: 'cookie', name: 'mqttp_session', description: 'The console session (POST /api/v1/auth/session); POST/PUT/PATCH/DELETE also need `x-csrf-token`.' },
        },
        schemas: { ProblemDetails: ProblemDetailsSchema },
        responses: {
          Problem: {
            description: 'The request failed; see `code` (API_ERR_*) and `detail`.',
            content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDetails' } } },
          },
        },
      },
    },
    transformObject: (documentObject) => {
      if (!('openapiObject' in documentObject)) return documentObject.swaggerObject;
      addProblemResponses(documentObject.openapiObject.paths);
      markPublicOperations(documentObject.openapiObject.paths);
      return documentObject.openapiObject;
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get(
    '/openapi.json',
    {
      schema: {
        operationId: 'getOpenApiDocument',
        summary: 'This API description (OpenAPI 3.1)',
        tags: ['meta'],
        response: {
          200: Type.Object(
            { openapi: Type.String(), info: Type.Object({ title: Type.String(), version: Type.String() }) },
            { additionalProperties: true, description: 'OpenAPI document', examples: [{ openapi: '3.1.0', info: { title: 'MQTT Platform API', version: '0.1.0' } }] },
          ),
        },
      },
    },
    async () => {
      const document = app.swagger() as { openapi: string; info: { title: string; version: string } };
      return document;
    },
  );
};

export const openApiPlugin = globalPlugin(openApi, { name: 'openapi' });

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Gives every operation a `default` response pointing at the shared problem-details response. */
function addProblemResponses(paths: object | undefined): void {
  for (const pathItem of Object.values(paths ?? {}) as Array<Record<string, { responses?: Record<string, unknown> } | undefined>>) {
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method];
      if (!operation) continue;
      operation.responses = { ...operation.responses, default: { $ref: '#/components/responses/Problem' } };
    }
  }
}

/** Operations outside /api/v1 (health, this document) need no credentials. */
function markPublicOperations(paths: object | undefined): void {
  for (const [path, pathItem] of Object.entries(paths ?? {}) as Array<[string, Record<string, { security?: unknown[] } | undefined>]>) {
    if (path.startsWith('/api/v1/')) continue;
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method];
      if (operation) operation.security = [];
    }
  }
}
