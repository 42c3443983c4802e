import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { buildTestApp } from './helper.js';
import { findOpenApiProblems } from './openapi-document.js';

interface Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, { operationId?: string; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown>; responses: Record<string, unknown> };
}

describe('GET /openapi.json', () => {
  let app: App;
  let document: Document;
  beforeAll(async () => {
    app = await buildTestApp({ version: '9.8.7' });
    const response = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    document = response.json<Document>();
  });
  afterAll(() => app.close());

  it('is a structurally valid OpenAPI 3 document', () => {
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
    expect(document.info).toMatchObject({ title: 'MQTT Platform API', version: '9.8.7' });
    expect(findOpenApiProblems(document)).toEqual([]);
  });

  it('lists getHealth with its response schema', () => {
    const operation = document.paths['/health']?.get;
    expect(operation?.operationId).toBe('getHealth');
    expect(operation?.responses['200']).toMatchObject({
      content: { 'application/json': { schema: { type: 'object', required: ['status', 'version', 'uptimeSeconds'] } } },
    });
  });

  it('gives every operation an operationId and documents errors as problem details', () => {
    const operations = Object.values(document.paths).flatMap((item) => Object.values(item));
    expect(operations.length).toBeGreaterThan(0);
    for (const operation of operations) {
      expect(operation.operationId).toMatch(/^[a-z][A-Za-z0-9]+$/);
      expect(operation.responses.default).toEqual({ $ref: '#/components/responses/Problem' });
    }
    expect(document.components.responses.Problem).toMatchObject({
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } },
    });
  });

  it('keeps the Swagger UI routes out of the document', () => {
    expect(Object.keys(document.paths).filter((path) => path.startsWith('/docs'))).toEqual([]);
  });

  it('serves Swagger UI at /docs', async () => {
    const response = await app.inject({ method: 'GET', url: '/docs' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('swagger-ui');
  });
});
