import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { ApiError, ApiErrors } from '../../lib/api-error.js';
import { createLoginRateLimiter, type LoginRateLimiter } from '../../lib/login-rate-limiter.js';
import { RoleSchema } from '../../lib/roles.js';
import { IdSchema } from '../../lib/schemas.js';
import { clearSessionCookie, setSessionCookie } from '../../lib/session-cookie.js';
import { actorOf, requireRole } from '../../plugins/auth.js';
import { CreatedApiTokenSchema } from '../api-tokens/api-tokens.routes.js';
import type { AuthService } from './auth.service.js';
import type { ConsoleSessionService } from './console-sessions.service.js';

const LoginBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 100 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false, examples: [{ username: 'admin', password: 'correct horse battery staple' }] },
);

export const SessionSchema = Type.Object(
  {
    admin: Type.Object({ id: IdSchema, username: Type.String(), role: RoleSchema }, { additionalProperties: false }),
    csrfToken: Type.String({ description: 'Send it as `x-csrf-token` on POST/PUT/PATCH/DELETE made with the session cookie. Empty for bearer-token callers.' }),
  },
  {
    title: 'ConsoleSession',
    additionalProperties: false,
    examples: [{ admin: { id: '6f1c2a9e-6f0a-4c1e-9a55-1d2f3b4c5d6e', username: 'admin', role: 'admin' }, csrfToken: 'Xk3o0cQm-3Q9nVhQ2y3v0m6l0kS8aYbTz1' }],
  },
);

export interface AuthRoutesOptions {
  service: AuthService;
  sessions: ConsoleSessionService;
  /** Password attempts allowed per client IP per window, shared by /login and /session. */
  loginRateLimit: { max: number; windowMs: number };
  now?: () => number;
}

/** Counts a password attempt for the caller's address; 429 with Retry-After over the budget. */
function limitAttempt(limiter: LoginRateLimiter, request: FastifyRequest, reply: FastifyReply): void {
  const { limited, retryAfterSeconds } = limiter.hit(request.ip);
  if (limited) {
    reply.header('retry-after', String(retryAfterSeconds));
    throw new ApiError(ApiErrors.tooManyRequests, `Too many login attempts; retry in ${retryAfterSeconds} s.`);
  }
}

/**
 * Public: POST /auth/login (an API token for scripts) and POST /auth/session (the console's
 * cookie), both rate-limited per IP by one shared budget.
 */
export const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (app, options) => {
  const limiter = createLoginRateLimiter({ ...options.loginRateLimit, ...(options.now ? { now: options.now } : {}) });

  app.post(
    '/login',
    {
      schema: {
        operationId: 'login',
        summary: 'Exchange a username and password for a new API token (shown once)',
        tags: ['auth'],
        security: [],
        body: LoginBody,
        response: { 201: CreatedApiTokenSchema },
      },
    },
    async (request, reply) => {
      limitAttempt(limiter, request, reply);
      return reply.code(201).send(await options.service.login(request.body.username, request.body.password));
    },
  );

  app.post(
    '/session',
    {
      schema: {
        operationId: 'createSession',
        summary: 'Log in to the console: sets the HttpOnly session cookie and returns the CSRF token',
        description: `Sets \`mqttp_session\` (HttpOnly, SameSite=Strict, Path=/, Secure over TLS). The session ends after ${Math.round(options.sessions.settings.idleSeconds / 3600)} h without use.`,
        tags: ['auth'],
        security: [],
        body: LoginBody,
        response: { 200: SessionSchema },
      },
    },
    async (request, reply) => {
      limitAttempt(limiter, request, reply);
      const admin = await options.service.checkPassword(request.body.username, request.body.password);
      const { cookieValue, ...session } = await options.sessions.open(admin);
      setSessionCookie(request, reply, cookieValue, options.sessions.settings.maxSeconds);
      return session;
    },
  );
};

export interface SessionRoutesOptions {
  sessions: ConsoleSessionService;
}

/** GET and DELETE /auth/session: in the authenticated scope (cookie or bearer). */
export const sessionRoutes: FastifyPluginAsyncTypebox<SessionRoutesOptions> = async (app, { sessions }) => {
  app.get(
    '/session',
    {
      preHandler: requireRole('viewer'),
      schema: {
        operationId: 'getSession',
        summary: 'Who is logged in, with a fresh CSRF token',
        tags: ['auth'],
        response: { 200: SessionSchema },
      },
    },
    async (request) => sessions.describe(actorOf(request), request.consoleSession),
  );

  app.delete(
    '/session',
    {
      preHandler: requireRole('viewer'),
      schema: {
        operationId: 'deleteSession',
        summary: 'Log out of the console: ends the session and clears the cookie (no-op for bearer callers)',
        tags: ['auth'],
        headers: Type.Object({
          'x-csrf-token': Type.Optional(Type.String({ maxLength: 256, description: 'Required with the session cookie (from POST or GET /auth/session).', examples: ['Xk3o0cQm-3Q9nVhQ2y3v0m6l0kS8aYbTz1'] })),
        }),
        response: { 204: Type.Null({ description: 'Logged out.' }) },
      },
    },
    async (request, reply) => {
      if (request.consoleSession) await sessions.close(actorOf(request), request.consoleSession);
      clearSessionCookie(request, reply);
      return reply.code(204).send(null);
    },
  );
};
