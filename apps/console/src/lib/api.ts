import { loadConfig } from './config';
import { toProblem, type Problem } from './problem';
import type { ConsoleSession } from './session';

/** The API session cookie name (API-CONTRACT: POST /auth/session). */
export const API_SESSION_COOKIE = 'mqttp_session';

export type ApiResponse<T> = { ok: true; status: number; data: T } | { ok: false; status: number; problem: Problem };

export interface ApiCallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  timeoutMs?: number;
}

/** The headers that carry the admin's session (or token) to the API. */
export function authHeaders(session: ConsoleSession | null, method: string): Record<string, string> {
  if (!session) return {};
  if (session.kind === 'token') return { authorization: `Bearer ${session.secret}` };
  const headers: Record<string, string> = { cookie: `${API_SESSION_COOKIE}=${session.secret}` };
  if (method !== 'GET' && method !== 'HEAD' && session.csrfToken) headers['x-csrf-token'] = session.csrfToken;
  return headers;
}

/** A raw call to /api/v1<path> carrying the session; network failures become a 502/504 problem. */
export async function apiRaw(session: ConsoleSession | null, path: string, init: { method: string; body?: BodyInit | null; contentType?: string | null; timeoutMs?: number }): Promise<Response> {
  const url = `${loadConfig().apiUrl}/api/v1${path}`;
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders(session, init.method) };
  if (init.contentType) headers['content-type'] = init.contentType;
  try {
    return await fetch(url, { method: init.method, headers, body: init.body ?? null, cache: 'no-store', redirect: 'manual', signal: AbortSignal.timeout(init.timeoutMs ?? 15_000) });
  } catch (error) {
    const timeout = error instanceof DOMException && error.name === 'TimeoutError';
    const problem = {
      type: 'about:blank',
      title: timeout ? 'API timeout' : 'API unreachable',
      status: timeout ? 504 : 502,
      code: timeout ? 'CONSOLE_API_TIMEOUT' : 'CONSOLE_API_UNREACHABLE',
      detail: timeout ? 'The API did not answer in time.' : `The console cannot reach the API at ${loadConfig().apiUrl}.`,
    };
    return new Response(JSON.stringify(problem), { status: problem.status, headers: { 'content-type': 'application/problem+json' } });
  }
}

/** A JSON call to /api/v1<path> as the given admin. Never throws. */
export async function api<T>(session: ConsoleSession | null, path: string, options: ApiCallOptions = {}): Promise<ApiResponse<T>> {
  const method = options.method ?? 'GET';
  const hasBody = options.body !== undefined;
  const response = await apiRaw(session, path, { method, body: hasBody ? JSON.stringify(options.body) : null, contentType: hasBody ? 'application/json' : null, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) return { ok: false, status: response.status, problem: toProblem(response.status, body) };
  return { ok: true, status: response.status, data: body as T };
}
