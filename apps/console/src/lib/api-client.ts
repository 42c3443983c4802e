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
