import { authHeaders } from '@/lib/api';
import { loadConfig } from '@/lib/config';
import { getSession } from '@/lib/session';

/**
 * How the console server authenticates its API calls for the traces pages: the signed-in
 * admin's console session (the API session cookie, with the CSRF token on changes), else the
 * server's CONSOLE_API_TOKEN. Server side only: nothing here reaches the browser.
 */
export async function apiAuthHeaders(forChange = false): Promise<Record<string, string>> {
  const session = await getSession();
  if (session) return authHeaders(session, forChange ? 'POST' : 'GET');
  const token = loadConfig().apiToken;
  return token ? { authorization: `Bearer ${token}` } : {};
}
