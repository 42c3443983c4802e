import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleAtLeast, type Role } from '../src/lib/roles.js';
import { bearer, loginConsole, setupApi, type ApiTestContext } from './api-helper.js';
import { ROUTE_ROLES, type MinRole } from './route-roles.js';

/**
 * The role x route matrix: every /api/v1 route, for anonymous, viewer, operator and admin.
 * Anonymous gets 401 (unless the route is public); a role below the route's gets 403
 * API_ERR_FORBIDDEN; a role at or above it gets neither (the request may still be invalid or
 * name nothing: probes use placeholder ids and empty bodies). Role checks run before body
 * validation (see plugins/auth.ts), which is what makes empty bodies good probes.
 */
interface Operation {
  parameters?: Array<{ name: string; in: string; schema: { format?: string } }>;
  requestBody?: unknown;
}
interface Route {
  method: string;
  path: string;
  operation: Operation;
}

const PLACEHOLDER_UUID = '00000000-0000-4000-8000-000000000000';
const CALLERS = ['anonymous', 'viewer', 'operator', 'admin'] as const;

const normalise = (path: string): string => (path.length > 1 ? path.replace(/\/$/, '') : path);
const key = (method: string, path: string): string => `${method.toUpperCase()} ${normalise(path)}`;

/** A request URL for the route with every path parameter filled by a well-formed placeholder. */
function probeUrl(route: Route): string {
  return route.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const parameter = route.operation.parameters?.find((p) => p.in === 'path' && p.name === name);
    return parameter?.schema.format === 'uuid' ? PLACEHOLDER_UUID : 'matrix-probe';
  });
}

describe('role x route matrix', () => {
  let ctx: ApiTestContext;
  let routes: Route[];
  beforeAll(async () => {
    ctx = await setupApi('route_roles');
    const document = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, Operation>> };
    routes = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/api/v1/'))
      .flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => ({ method: method.toUpperCase(), path: normalise(path), operation })));
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('has exactly one line per registered /api/v1 route (add new routes to test/route-roles.ts)', () => {
    const table = ROUTE_ROLES.map(([method, path]) => key(method, path));
    expect(new Set(table).size, 'duplicate lines in route-roles.ts').toBe(table.length);
    const registered = routes.map((route) => key(route.method, route.path));
    expect(registered.filter((k) => !table.includes(k)), 'routes without a line in test/route-roles.ts').toEqual([]);
    expect(table.filter((k) => !registered.includes(k)), 'lines in test/route-roles.ts naming no route').toEqual([]);
  });

  it('each caller gets exactly what its role allows', async () => {
    const minRole = new Map<string, MinRole>(ROUTE_ROLES.map(([method, path, role]) => [key(method, path), role]));
    const problems: string[] = [];
    for (const route of routes) {
      const needed = minRole.get(key(route.method, route.path));
      if (!needed) continue; // reported by the test above
      for (const caller of CALLERS) {
        const response = await ctx.app.inject({
          method: route.method as 'GET',
          url: probeUrl(route),
          headers: caller === 'anonymous' ? {} : bearer(ctx.tokens[caller]),
          ...(route.operation.requestBody ? { payload: {} } : {}),
        });
        const allowed = needed === 'public' || (caller !== 'anonymous' && roleAtLeast(caller as Role, needed));
        const expected = allowed ? 'neither 401 nor 403 nor 500' : caller === 'anonymous' ? '401' : '403 API_ERR_FORBIDDEN';
        const ok = allowed
          ? ![401, 403, 500].includes(response.statusCode)
          : caller === 'anonymous'
            ? response.statusCode === 401
            : response.statusCode === 403 && (response.json() as { code: string }).code === 'API_ERR_FORBIDDEN';
        if (!ok) problems.push(`${caller} ${route.method} ${route.path} (needs ${needed}): expected ${expected}, got ${response.statusCode} ${response.body.slice(0, 120)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('with the session cookie, every state-changing route needs the CSRF token', async () => {
    const { cookie } = await loginConsole(ctx.app, 'admin');
    const problems: string[] = [];
    const needing = routes.filter((route) => route.method !== 'GET' && ROUTE_ROLES.some(([m, p, role]) => key(m, p) === key(route.method, route.path) && role !== 'public'));
    expect(needing.length).toBeGreaterThan(10);
    for (const route of needing) {
      const response = await ctx.app.inject({ method: route.method as 'POST', url: probeUrl(route), headers: { cookie }, ...(route.operation.requestBody ? { payload: {} } : {}) });
      if (response.statusCode !== 403 || (response.json() as { code: string }).code !== 'API_ERR_CSRF_FAILED') problems.push(`${route.method} ${route.path}: ${response.statusCode}`);
    }
    expect(problems).toEqual([]);
  });
});
