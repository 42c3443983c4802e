import Type from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { ApiError, ApiErrors } from '../src/lib/api-error.js';
import { buildTestApp, expectProblemShape } from './helper.js';

const PROBLEM_TYPE = /^application\/problem\+json/;

/** Test-only routes on the real app: a schema-validated echo and routes that throw. */
async function buildAppWithTestRoutes(): Promise<App> {
  const app = await buildTestApp();
  app.post(
    '/test/echo',
    {
      schema: {
        operationId: 'testEcho',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) }),
        body: Type.Object({ name: Type.String({ minLength: 1 }), qos: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)]) }),
        response: { 200: Type.Object({ name: Type.String(), qos: Type.Integer(), limit: Type.Integer() }) },
      },
    },
    async (request) => ({ ...request.body, limit: request.query.limit ?? 10 }),
  );
  app.get('/test/conflict', { schema: { operationId: 'testConflict' } }, async () => {
    throw new ApiError(ApiErrors.conflict, 'MQTT user "sensor-1" already exists.', { extensions: { username: 'sensor-1' } });
  });
  app.get('/test/crash', { schema: { operationId: 'testCrash' } }, async () => {
    throw new Error('connection to postgres://admin:secret@db/mqtt refused');
  });
  app.get('/test/unavailable', { schema: { operationId: 'testUnavailable' } }, async () => {
    throw new ApiError(ApiErrors.serviceUnavailable, 'pool exhausted at 10.0.0.7');
  });
  return app;
}

describe('errors as RFC 9457 problem details', () => {
  let app: App;
  beforeAll(async () => {
    app = await buildAppWithTestRoutes();
  });
  afterAll(() => app.close());

  it('accepts a valid request on the test route', async () => {
    const response = await app.inject({ method: 'POST', url: '/test/echo?limit=5', payload: { name: 'a', qos: 1 } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ name: 'a', qos: 1, limit: 5 });
  });

  it('answers an unknown route with 404 API_ERR_ROUTE_NOT_FOUND', async () => {
    const response = await app.inject({ method: 'GET', url: '/no/such/route?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(PROBLEM_TYPE);
    const body = response.json();
    expectProblemShape(body);
    expect(body).toMatchObject({
      type: 'urn:mqtt-platform:problem:route-not-found',
      title: 'Route not found',
      status: 404,
      code: 'API_ERR_ROUTE_NOT_FOUND',
      instance: '/no/such/route',
    });
    expect(body.detail).toContain('GET /no/such/route');
  });

  it('answers an invalid body with 400 API_ERR_VALIDATION pointing at the member', async () => {
    const response = await app.inject({ method: 'POST', url: '/test/echo', payload: { qos: 1 } });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(PROBLEM_TYPE);
    const body = response.json();
    expectProblemShape(body);
    expect(body).toMatchObject({ status: 400, code: 'API_ERR_VALIDATION', title: 'Request validation failed', instance: '/test/echo' });
    expect(body.errors).toEqual([{ in: 'body', pointer: '/name', detail: expect.any(String) }]);
    expect(body.detail).toContain('/name');
  });

  it('answers a wrongly typed body member with 400 API_ERR_VALIDATION', async () => {
    const response = await app.inject({ method: 'POST', url: '/test/echo', payload: { name: 'a', qos: 3 } });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expectProblemShape(body);
    expect(body.code).toBe('API_ERR_VALIDATION');
    expect(body.errors?.[0]).toMatchObject({ in: 'body', pointer: '/qos' });
  });

  it('answers an invalid query with 400 API_ERR_VALIDATION', async () => {
    const response = await app.inject({ method: 'POST', url: '/test/echo?limit=1000', payload: { name: 'a', qos: 0 } });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(PROBLEM_TYPE);
    const body = response.json();
    expectProblemShape(body);
    expect(body.code).toBe('API_ERR_VALIDATION');
    expect(body.errors).toEqual([{ in: 'querystring', pointer: '/limit', detail: expect.any(String) }]);
  });

  it('answers malformed JSON with 400 API_ERR_BAD_REQUEST', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expectProblemShape(body);
    expect(body.code).toBe('API_ERR_BAD_REQUEST');
  });

  it('answers an unsupported content type with 415', async () => {
    const response = await app.inject({ method: 'POST', url: '/test/echo', headers: { 'content-type': 'application/xml' }, payload: '<a/>' });
    expect(response.statusCode).toBe(415);
    const body = response.json();
    expectProblemShape(body);
    expect(body.code).toBe('API_ERR_UNSUPPORTED_MEDIA_TYPE');
  });

  it('passes a 4xx ApiError through with its detail and extensions', async () => {
    const response = await app.inject({ method: 'GET', url: '/test/conflict' });
    expect(response.statusCode).toBe(409);
    const body = response.json();
    expectProblemShape(body);
    expect(body).toMatchObject({ code: 'API_ERR_CONFLICT', detail: 'MQTT user "sensor-1" already exists.', username: 'sensor-1' });
  });

  it('never leaks the details of an unexpected error', async () => {
    const response = await app.inject({ method: 'GET', url: '/test/crash' });
    expect(response.statusCode).toBe(500);
    expect(response.headers['content-type']).toMatch(PROBLEM_TYPE);
    const body = response.json();
    expectProblemShape(body);
    expect(body).toMatchObject({ code: 'API_ERR_INTERNAL', title: 'Internal server error', status: 500 });
    expect(response.body).not.toContain('postgres');
    expect(response.body).not.toContain('secret');
    expect(body.detail).toMatch(/requestId/);
    expect(body.requestId).not.toBe('');
  });

  it('hides the detail of a 5xx ApiError too', async () => {
    const response = await app.inject({ method: 'GET', url: '/test/unavailable' });
    expect(response.statusCode).toBe(503);
    const body = response.json();
    expectProblemShape(body);
    expect(body.code).toBe('API_ERR_SERVICE_UNAVAILABLE');
    expect(response.body).not.toContain('10.0.0.7');
  });
});
