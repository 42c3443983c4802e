'use server';

import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { api, apiRaw, API_SESSION_COOKIE } from '@/lib/api';
import { isRole } from '@/lib/roles';
import { clearSession, getSession, saveSession } from '@/lib/session';

export interface LoginState {
  error?: string;
  username?: string;
}

interface SessionBody {
  admin?: { id?: string; username?: string; role?: string };
  csrfToken?: string;
  expiresAt?: string;
}

interface TokenBody {
  id?: string;
  token?: string;
  role?: string;
  expiresAt?: string | null;
}

async function isSecureRequest(): Promise<boolean> {
  const h = await headers();
  return h.get('x-forwarded-proto') === 'https';
}

/** The API session cookie's value from a Set-Cookie list. */
function apiSessionFrom(response: Response): string | undefined {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair?.indexOf('=') ?? -1;
    if (pair && eq > 0 && pair.slice(0, eq).trim() === API_SESSION_COOKIE) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Sign in: an API session (POST /auth/session) when the API offers it, else an API token from
 * POST /auth/login. The credential goes into the console's HttpOnly cookie only.
 */
export async function login(_previous: LoginState, form: FormData): Promise<LoginState> {
  const username = String(form.get('username') ?? '').trim();
  const password = String(form.get('password') ?? '');
  if (!username || !password) return { error: 'Enter your username and password.', username };
  const credentials = JSON.stringify({ username, password });
  const secure = await isSecureRequest();

  const sessionResponse = await apiRaw(null, '/auth/session', { method: 'POST', body: credentials, contentType: 'application/json' });
  if (sessionResponse.ok) {
    const body = (await sessionResponse.json()) as SessionBody;
    const secret = apiSessionFrom(sessionResponse);
    const role = body.admin?.role;
    if (!secret || !isRole(role)) return { error: 'The API answered the sign-in in an unexpected way.', username };
    await saveSession({ kind: 'session', secret, ...(body.csrfToken ? { csrfToken: body.csrfToken } : {}), username: body.admin?.username ?? username, role, ...(body.expiresAt ? { expiresAt: Date.parse(body.expiresAt) } : {}) }, secure);
    redirect('/overview');
  }
  if (sessionResponse.status !== 404) return { error: await failureText(sessionResponse), username };

  const tokenResponse = await apiRaw(null, '/auth/login', { method: 'POST', body: credentials, contentType: 'application/json' });
  if (!tokenResponse.ok) return { error: await failureText(tokenResponse), username };
  const body = (await tokenResponse.json()) as TokenBody;
  if (typeof body.token !== 'string' || !isRole(body.role)) return { error: 'The API answered the sign-in in an unexpected way.', username };
  await saveSession({ kind: 'token', secret: body.token, ...(body.id ? { tokenId: body.id } : {}), username, role: body.role, ...(body.expiresAt ? { expiresAt: Date.parse(body.expiresAt) } : {}) }, secure);
  redirect('/overview');
}

async function failureText(response: Response): Promise<string> {
  if (response.status === 401) return 'Wrong username or password.';
  if (response.status === 429) return `Too many sign-in attempts; retry in ${response.headers.get('retry-after') ?? 'a few'} s.`;
  try {
    const body = (await response.json()) as { detail?: string };
    if (body.detail) return body.detail;
  } catch {
    /* not JSON */
  }
  return `Sign-in failed (HTTP ${response.status}).`;
}

/** Sign out: end the API session (or revoke the token when allowed) and forget the cookie. */
export async function logout(): Promise<void> {
  const session = await getSession();
  if (session?.kind === 'session') await api(session, '/auth/session', { method: 'DELETE' });
  if (session?.kind === 'token' && session.tokenId && session.role === 'admin') await api(session, `/api-tokens/${encodeURIComponent(session.tokenId)}`, { method: 'DELETE' });
  await clearSession();
  redirect('/login');
}
