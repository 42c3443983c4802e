import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ApiError, ApiErrors } from '../../lib/api-error.js';
import { CreatedApiTokenSchema } from '../api-tokens/api-tokens.routes.js';
import type { AuthService } from './auth.service.js';

const LoginBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 100 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);

export interface AuthRoutesOptions {
  service: AuthService;
  /** Login attempts allowed per client IP per window. */
  loginRateLimit: { max: number; windowMs: number };
  now?: () => number;
}

/** POST /api/v1/auth/login: public (it is how a token is obtained), rate-limited per IP in memory. */
export const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (app, options) => {
  const now = options.now ?? Date.now;
  const attempts = new Map<string, { count: number; resetAt: number }>();

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
      const at = now();
      if (attempts.size > 10_000) for (const [ip, entry] of attempts) if (entry.resetAt <= at) attempts.delete(ip);
      const entry = attempts.get(request.ip);
      const current = entry && entry.resetAt > at ? entry : { count: 0, resetAt: at + options.loginRateLimit.windowMs };
      current.count += 1;
      attempts.set(request.ip, current);
      if (current.count > options.loginRateLimit.max) {
        const retryAfter = Math.max(1, Math.ceil((current.resetAt - at) / 1000));
        reply.header('retry-after', String(retryAfter));
        throw new ApiError(ApiErrors.tooManyRequests, `Too many login attempts; retry in ${retryAfter} s.`);
      }
      return reply.code(201).send(await options.service.login(request.body.username, request.body.password));
    },
  );
};
