import type { FastifyPluginAsync, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { ApiError, ApiErrors } from '../lib/api-error.js';
import { roleAtLeast, type Actor, type Role } from '../lib/roles.js';
import { clearSessionCookie, CSRF_HEADER, sessionCookieOf, SESSION_COOKIE } from '../lib/session-cookie.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller; set by the auth plugin on every route of its scope. */
    actor?: Actor;
    /** The console session that authenticated the request (cookie auth only). */
    consoleSession?: ConsoleSessionRef;
  }
  interface FastifyContextConfig {
    /** The least role a route needs; set from its requireRole hook (see authPlugin). */
    minRole?: Role;
  }
}

/** What the auth plugin knows of a console session. */
export interface ConsoleSessionRef {
  id: string;
  csrfSecret: string;
}

export interface AuthPluginOptions {
  /** The actor of a bearer token, or null (unknown, expired, admin disabled). */
  authenticate: (token: string) => Promise<Actor | null>;
  /** The actor and session of a session cookie value, or null (unknown, expired, admin disabled). */
  authenticateSession?: (cookieValue: string) => Promise<{ actor: Actor; session: ConsoleSessionRef } | null>;
  /** Whether `token` is a CSRF token of the session. */
  verifyCsrf?: (session: ConsoleSessionRef, token: string) => boolean;
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{1,512})$/;
/** Methods that change nothing: exempt from the CSRF check (RFC 9110 safe methods). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const ROLE_CHECK = Symbol('requireRole');

/**
 * Authenticates every request of the scope it is registered in, by either
 * - `Authorization: Bearer <API token>` (scripts; exempt from CSRF checks: a browser never adds
 *   that header to a cross-site request), or
 * - the console's session cookie, in which case POST/PUT/PATCH/DELETE also need the session's
 *   CSRF token in `x-csrf-token` (403 API_ERR_CSRF_FAILED otherwise).
 * 401 when neither is valid. Roles are checked per route (requireRole), and always right after
 * authentication, before the body is validated: a caller without the role learns nothing about
 * what the route accepts. Registered inside an encapsulated scope on purpose, so public routes stay public.
 */
export const authPlugin: FastifyPluginAsync<AuthPluginOptions> = async (app, options) => {
  app.addHook('onRequest', async (request, reply) => {
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      const match = BEARER.exec(authorization);
      if (!match?.[1]) throw new ApiError(ApiErrors.unauthorized, 'Send an API token: Authorization: Bearer <token>.');
      const actor = await options.authenticate(match[1]);
      if (!actor) throw new ApiError(ApiErrors.unauthorized, 'The API token is unknown or has expired.');
      request.actor = { ...actor, via: 'token' };
      return;
    }
    const cookie = sessionCookieOf(request);
    if (cookie !== undefined && options.authenticateSession) {
      const found = await options.authenticateSession(cookie);
      if (!found) {
        clearSessionCookie(request, reply);
        throw new ApiError(ApiErrors.unauthorized, 'The console session has ended; log in again.');
      }
      if (!SAFE_METHODS.has(request.method)) {
        const header = request.headers[CSRF_HEADER];
        const token = typeof header === 'string' ? header : undefined;
        if (!token || !options.verifyCsrf?.(found.session, token)) {
          throw new ApiError(ApiErrors.csrfFailed, `Cookie-authenticated ${request.method} requests need the session's CSRF token in the ${CSRF_HEADER} header (from POST or GET /api/v1/auth/session).`);
        }
      }
      request.actor = { ...found.actor, via: 'session' };
      request.consoleSession = found.session;
      return;
    }
    if (request.cookies?.[SESSION_COOKIE] !== undefined) clearSessionCookie(request, reply);
    throw new ApiError(ApiErrors.unauthorized, 'Send an API token (Authorization: Bearer <token>) or log in to the console (POST /api/v1/auth/session).');
  });

  // Role checks declared as `preHandler: requireRole(...)` run as the route's first onRequest
  // hook instead (after authentication, before parsing and validation), and the route's
  // documentation says which role it needs.
  app.addHook('onRoute', (route: RouteOptions) => {
    const preHandlers = toArray(route.preHandler);
    const checks = preHandlers.filter((hook) => ROLE_CHECK in hook);
    if (checks.length === 0) return;
    const role = (checks[0] as unknown as Record<symbol, Role>)[ROLE_CHECK];
    route.preHandler = preHandlers.filter((hook) => !(ROLE_CHECK in hook));
    route.onRequest = [...toArray(route.onRequest), ...checks] as RouteOptions['onRequest'];
    route.config = { ...route.config, minRole: role } as RouteOptions['config'];
    if (route.schema) {
      const schema = route.schema as { description?: string };
      schema.description = `${schema.description ? `${schema.description}\n\n` : ''}Requires role \`${role}\` or higher.`;
    }
  });
};
// Hooks added by this plugin must apply to its parent scope (the authenticated one).
Object.assign(authPlugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'auth' });

function toArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? [...value] : [value];
}

/** A hook that lets only callers holding at least `role` through (403 otherwise); see authPlugin. */
export function requireRole(role: Role) {
  const check = async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const actor = request.actor;
    if (!actor) throw new ApiError(ApiErrors.unauthorized, 'Authentication required.');
    if (!roleAtLeast(actor.role, role)) {
      throw new ApiError(ApiErrors.forbidden, `This operation needs role "${role}"; the caller has role "${actor.role}".`);
    }
  };
  return Object.assign(check, { [ROLE_CHECK]: role });
}

/** The actor of an authenticated request (routes of the authenticated scope only). */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new ApiError(ApiErrors.unauthorized, 'Authentication required.');
  return request.actor;
}
