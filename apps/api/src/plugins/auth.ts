import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, ApiErrors } from '../lib/api-error.js';
import { roleAtLeast, type Actor, type Role } from '../lib/roles.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller; set by the auth plugin on every route of its scope. */
    actor?: Actor;
  }
}

export interface AuthPluginOptions {
  authenticate: (token: string) => Promise<Actor | null>;
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{1,512})$/;

/**
 * Authenticates every request of the scope it is registered in (`Authorization: Bearer <token>`):
 * 401 when the token is missing, unknown or expired. Roles are checked per route (requireRole).
 * Registered inside an encapsulated scope on purpose, so public routes stay public.
 */
export const authPlugin: FastifyPluginAsync<AuthPluginOptions> = async (app, options) => {
  app.addHook('onRequest', async (request) => {
    const match = BEARER.exec(request.headers.authorization ?? '');
    if (!match?.[1]) throw new ApiError(ApiErrors.unauthorized, 'Send an API token: Authorization: Bearer <token>.');
    const actor = await options.authenticate(match[1]);
    if (!actor) throw new ApiError(ApiErrors.unauthorized, 'The API token is unknown or has expired.');
    request.actor = actor;
  });
};
// Hooks added by this plugin must apply to its parent scope (the authenticated one).
Object.assign(authPlugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'auth' });

/** A preHandler that lets only callers holding at least `role` through (403 otherwise). */
export function requireRole(role: Role) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const actor = request.actor;
    if (!actor) throw new ApiError(ApiErrors.unauthorized, 'Authentication required.');
    if (!roleAtLeast(actor.role, role)) {
      throw new ApiError(ApiErrors.forbidden, `This operation needs role "${role}"; the token has role "${actor.role}".`);
    }
  };
}

/** The actor of an authenticated request (routes of the authenticated scope only). */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new ApiError(ApiErrors.unauthorized, 'Authentication required.');
  return request.actor;
}
