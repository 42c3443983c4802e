import { toProblem, type Problem } from './problem';

/** What a browser-side API call gives back; never throws. */
export type CallResult<T> = { ok: true; status: number; data: T } | { ok: false; status: number; problem: Problem };

export type QueryValue = string | number | boolean | null | undefined;

/** `/bff/<path>?<query>`: the console's proxy to /api/v1 (empty values left out). */
export function bffUrl(path: string, query: Record<string, QueryValue> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const search = params.toString();
  return `/bff${path.startsWith('/') ? path : `/${path}`}${search ? `?${search}` : ''}`;
}

/** One call through the console's proxy. `path` is the API path after /api/v1 (may hold a query). */
export async function callApi<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<CallResult<T>> {
  const url = path.startsWith('/bff/') ? path : `/bff${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch {
    return { ok: false, status: 0, problem: { status: 0, title: 'Console unreachable', detail: 'The console server did not answer. Check the connection.', code: 'CONSOLE_OFFLINE' } };
  }
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) return { ok: false, status: response.status, problem: toProblem(response.status, parsed) };
  return { ok: true, status: response.status, data: parsed as T };
}
