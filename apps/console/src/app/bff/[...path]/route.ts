import type { NextRequest } from 'next/server';
import { apiRaw } from '@/lib/api';
import { clearSession, getSession } from '@/lib/session';

/**
 * The browser's only way to the API: /bff/<path> is forwarded to /api/v1/<path> by the console's
 * server with the signed-in admin's session attached (the browser never holds the API
 * credential). Changes must come from the console's own pages (Origin check on top of the
 * SameSite=Strict cookie). Sign-in and sign-out go through server actions, not here.
 */
interface RouteContext {
  params: Promise<{ path: string[] }>;
}

const PASSED_RESPONSE_HEADERS = ['content-type', 'content-disposition', 'retry-after', 'cache-control'];

function problem(status: number, code: string, detail: string): Response {
  return Response.json({ type: 'about:blank', title: detail, status, code, detail }, { status, headers: { 'content-type': 'application/problem+json' } });
}

function sameOrigin(request: NextRequest): boolean {
  const origin = request.headers.get('origin');
  if (!origin) return request.headers.get('sec-fetch-site') === 'same-origin';
  try {
    return new URL(origin).host === request.headers.get('host');
  } catch {
    return false;
  }
}

async function forward(request: NextRequest, context: RouteContext): Promise<Response> {
  const session = await getSession();
  if (!session) return problem(401, 'CONSOLE_SIGNED_OUT', 'You are signed out. Sign in again.');
  const { path } = await context.params;
  if (path.length === 0 || path[0] === 'auth') return problem(404, 'CONSOLE_NOT_PROXIED', 'Not available through the console.');
  const method = request.method;
  if (method !== 'GET' && method !== 'HEAD' && !sameOrigin(request)) return problem(403, 'CONSOLE_CROSS_ORIGIN', 'Cross-origin change refused.');

  const apiPath = `/${path.map((segment) => encodeURIComponent(segment)).join('/')}${request.nextUrl.search}`;
  const hasBody = method !== 'GET' && method !== 'HEAD' && method !== 'DELETE';
  const body = hasBody ? await request.text() : null;
  const upstream = await apiRaw(session, apiPath, { method, body: body || null, contentType: body ? (request.headers.get('content-type') ?? 'application/json') : null, timeoutMs: 30_000 });

  const headers = new Headers({ 'cache-control': 'no-store' });
  for (const name of PASSED_RESPONSE_HEADERS) {
    const value = upstream.headers.get(name);
    if (value) headers.set(name, value);
  }
  const status = upstream.status;
  // The API no longer knows this session (expired, signed out elsewhere, admin disabled): forget it,
  // so the next page load goes to the login page instead of showing errors.
  if (status === 401) await clearSession();
  if (status === 204 || status === 304) return new Response(null, { status, headers });
  return new Response(await upstream.arrayBuffer(), { status, headers });
}

export const GET = forward;
export const POST = forward;
export const PUT = forward;
export const PATCH = forward;
export const DELETE = forward;
