import { loadConfig } from './config';

/**
 * The console's only way to the API (server side). Results are values, not exceptions, so a
 * page can show "unreachable" instead of failing when the API is down.
 */
export type ApiResult<T> =
  | { ok: true; data: T }
  | { ok: false; reason: 'unreachable' | 'timeout' | 'http-error' | 'invalid-response'; message: string };

const DEFAULT_TIMEOUT_MS = 3000;

export async function apiGet<T>(
  path: `/${string}`,
  parse: (body: unknown) => T | undefined,
  options: { timeoutMs?: number } = {},
): Promise<ApiResult<T>> {
  const url = `${loadConfig().apiUrl}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      cache: 'no-store',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'TimeoutError') {
      return { ok: false, reason: 'timeout', message: `no answer from ${url} within ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms` };
    }
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    return { ok: false, reason: 'unreachable', message: `cannot reach ${url}: ${cause}` };
  }
  if (!response.ok) {
    return { ok: false, reason: 'http-error', message: `${url} answered HTTP ${response.status}` };
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return { ok: false, reason: 'invalid-response', message: `${url} did not answer JSON` };
  }
  const data = parse(body);
  return data === undefined ? { ok: false, reason: 'invalid-response', message: `${url} answered an unexpected shape` } : { ok: true, data };
}

/** A failed request with the API's problem details (RFC 9457) when it sent them. */
export type ApiFailure = Extract<ApiResult<never>, { ok: false }> & { status?: number; code?: string; field?: string };

/**
 * Any method, with headers (authentication) and an optional JSON body. Failures carry the
 * problem's detail, code and first failing field, so forms can show them.
 */
export async function apiRequest<T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: `/${string}`,
  options: { parse: (body: unknown) => T | undefined; body?: unknown; headers?: Record<string, string>; timeoutMs?: number },
): Promise<{ ok: true; data: T } | ApiFailure> {
  const url = `${loadConfig().apiUrl}${path}`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      cache: 'no-store',
      headers: { accept: 'application/json', ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'TimeoutError') return { ok: false, reason: 'timeout', message: `no answer from ${url} within ${timeoutMs} ms` };
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    return { ok: false, reason: 'unreachable', message: `cannot reach ${url}: ${cause}` };
  }
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    if (response.ok) return { ok: false, reason: 'invalid-response', message: `${url} did not answer JSON` };
  }
  if (!response.ok) {
    const problem = (body ?? {}) as { detail?: unknown; code?: unknown; errors?: Array<{ pointer?: unknown }> };
    const field = typeof problem.errors?.[0]?.pointer === 'string' ? problem.errors[0].pointer : undefined;
    return {
      ok: false,
      reason: 'http-error',
      status: response.status,
      message: typeof problem.detail === 'string' ? problem.detail : `${url} answered HTTP ${response.status}`,
      ...(typeof problem.code === 'string' ? { code: problem.code } : {}),
      ...(field !== undefined ? { field } : {}),
    };
  }
  const data = options.parse(body);
  return data === undefined ? { ok: false, reason: 'invalid-response', message: `${url} answered an unexpected shape` } : { ok: true, data };
}
