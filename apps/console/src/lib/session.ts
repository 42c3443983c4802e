import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { isRole, type Role } from './roles';

/**
 * The signed-in admin, kept in one HttpOnly, SameSite=Strict cookie of the console. The browser
 * never sees the API credential in a readable form (HttpOnly) and the console's server attaches
 * it to every API call. Two kinds, newest first:
 * - `session`: the API's session cookie value (POST /auth/session) and its CSRF token;
 * - `token`: an API token from POST /auth/login (older APIs without sessions).
 * The cookie is signed (HMAC-SHA256) so a browser cannot change the role the console shows; the
 * API enforces roles on its own anyway.
 */
export interface ConsoleSession {
  kind: 'session' | 'token';
  secret: string;
  csrfToken?: string;
  /** API token id (kind token), revoked at logout when allowed. */
  tokenId?: string;
  username: string;
  role: Role;
  /** Epoch ms. */
  expiresAt: number;
}

export const SESSION_COOKIE = 'mqttp_console';
const DEFAULT_LIFETIME_MS = 12 * 60 * 60 * 1000;

/**
 * The signing key: CONSOLE_SESSION_SECRET, else one random key per server process (restarting the
 * console then signs everybody out). Kept on globalThis because Next may load this module once per
 * route bundle within the same process.
 */
function signingKey(): Buffer {
  const fromEnv = process.env.CONSOLE_SESSION_SECRET;
  if (fromEnv && fromEnv.length >= 16) return Buffer.from(fromEnv, 'utf8');
  const slot = Symbol.for('mqtt-platform.console.session-key');
  const holder = globalThis as unknown as Record<symbol, Buffer | undefined>;
  holder[slot] ??= randomBytes(32);
  return holder[slot];
}

function sign(payload: string): string {
  return createHmac('sha256', signingKey()).update(payload).digest('base64url');
}

export function encodeSession(session: ConsoleSession): string {
  const payload = Buffer.from(JSON.stringify(session), 'utf8').toString('base64url');
  return `${payload}.${sign(payload)}`;
}

export function decodeSession(value: string | undefined, now = Date.now()): ConsoleSession | null {
  if (!value) return null;
  const dot = value.lastIndexOf('.');
  if (dot <= 0) return null;
  const payload = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1), 'base64url');
  const expected = Buffer.from(sign(payload), 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<ConsoleSession>;
    if ((parsed.kind !== 'session' && parsed.kind !== 'token') || typeof parsed.secret !== 'string' || typeof parsed.username !== 'string') return null;
    if (!isRole(parsed.role) || typeof parsed.expiresAt !== 'number' || parsed.expiresAt <= now) return null;
    return parsed as ConsoleSession;
  } catch {
    return null;
  }
}

/** The current admin, or null when nobody is signed in (or the cookie is stale or forged). */
export async function getSession(): Promise<ConsoleSession | null> {
  const store = await cookies();
  return decodeSession(store.get(SESSION_COOKIE)?.value);
}

/** The current admin; sends the browser to the login page otherwise. */
export async function requireSession(): Promise<ConsoleSession> {
  const session = await getSession();
  if (!session) redirect('/login');
  return session;
}

export async function saveSession(session: Omit<ConsoleSession, 'expiresAt'> & { expiresAt?: number }, secure: boolean): Promise<void> {
  const expiresAt = Math.min(session.expiresAt ?? Number.POSITIVE_INFINITY, Date.now() + DEFAULT_LIFETIME_MS);
  const store = await cookies();
  store.set(SESSION_COOKIE, encodeSession({ ...session, expiresAt }), {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: '/',
    expires: new Date(expiresAt),
  });
}

export async function clearSession(): Promise<void> {
  const store = await cookies();
  store.delete(SESSION_COOKIE);
}
