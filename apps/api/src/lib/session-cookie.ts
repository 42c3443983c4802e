import type { FastifyReply, FastifyRequest } from 'fastify';

/** Name of the console's session cookie (API-CONTRACT.md). */
export const SESSION_COOKIE = 'mqttp_session';

/** Header that carries the CSRF token on state-changing cookie-authenticated requests. */
export const CSRF_HEADER = 'x-csrf-token';

/**
 * HttpOnly (no script reads it), SameSite=Strict (never sent on cross-site requests), Path=/, and
 * Secure when the request came over TLS: `request.protocol` is 'https' on a TLS listener, or behind
 * a proxy that says so in X-Forwarded-Proto when API_TRUST_PROXY trusts that proxy.
 */
function cookieOptions(request: FastifyRequest) {
  return { httpOnly: true, sameSite: 'strict', path: '/', secure: request.protocol === 'https' } as const;
}

/** A session cookie; the browser keeps it until `maxAgeSeconds` (the server may end it earlier). */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, value: string, maxAgeSeconds: number): void {
  reply.setCookie(SESSION_COOKIE, value, { ...cookieOptions(request), maxAge: maxAgeSeconds });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, cookieOptions(request));
}

/** The cookie's value when it is well-formed (43 base64url characters: 256 random bits). */
export function sessionCookieOf(request: FastifyRequest): string | undefined {
  const value = request.cookies[SESSION_COOKIE];
  return value !== undefined && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
}
