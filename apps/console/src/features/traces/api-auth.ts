import { cookies } from 'next/headers';
import { loadConfig } from '@/lib/config';

/** The API's console session cookie (API contract: POST /auth/session). */
const SESSION_COOKIE = 'mqttp_session';
/** Where the console keeps the session's CSRF token for mutations made with the cookie. */
const CSRF_COOKIE = 'mqttp_csrf';

/**
 * How the console server authenticates its API calls for the traces pages: the operator's
 * console session (cookie, with the CSRF token on changes) when the browser has one, else the
 * server's CONSOLE_API_TOKEN. Server side only: nothing here reaches the browser.
 */
export async function apiAuthHeaders(forChange = false): Promise<Record<string, string>> {
  const jar = await cookies();
  const session = jar.get(SESSION_COOKIE)?.value;
  if (session) {
    const csrf = jar.get(CSRF_COOKIE)?.value;
    return { cookie: `${SESSION_COOKIE}=${session}`, ...(forChange && csrf ? { 'x-csrf-token': csrf } : {}) };
  }
  const token = loadConfig().apiToken;
  return token ? { authorization: `Bearer ${token}` } : {};
}
