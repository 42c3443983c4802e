import { randomBytes } from 'node:crypto';
import { Tokens } from '@fastify/csrf';
import type { Admin } from '@repo/db';
import type { AuditLog } from '../../lib/audit.js';
import { actorName, isRole, type Actor, type Role } from '../../lib/roles.js';
import { sha256Hex } from '../../lib/tokens.js';
import type { ConsoleSessionRef } from '../../plugins/auth.js';
import type { ConsoleSessionRepository } from './console-sessions.repository.js';

export interface SessionAdminView {
  id: string;
  username: string;
  role: Role;
}

export interface SessionView {
  admin: SessionAdminView;
  csrfToken: string;
}

export interface ConsoleSessionSettings {
  /** A session unused this long ends (idle expiry). */
  idleSeconds: number;
  /** A session ends this long after login, used or not. */
  maxSeconds: number;
}

/** Each use pushes the idle expiry forward, but the row is written at most this often. */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * Console logins: a 256-bit random cookie value (only its SHA-256 is stored), idle and absolute
 * expiry, and per-session CSRF tokens. CSRF tokens come from @fastify/csrf (the token logic of
 * @fastify/csrf-protection): a random secret per session stored with it, tokens are salted HMACs
 * of that secret. Synchronizer-token pattern: without the cookie a token is useless, without the
 * token a cookie cannot change anything.
 */
export function createConsoleSessionService(deps: { repo: ConsoleSessionRepository; audit: AuditLog; settings: ConsoleSessionSettings; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  // userInfo binds each token to its session id as well as to the session's secret.
  const csrf = new Tokens({ userInfo: true });

  function adminView(admin: Pick<Admin, 'id' | 'username' | 'role'>): SessionAdminView {
    return { id: admin.id, username: admin.username, role: isRole(admin.role) ? admin.role : 'viewer' };
  }

  return {
    settings: deps.settings,

    /** Opens a session for an admin whose password was checked; the cookie value is returned once. */
    async open(admin: Admin): Promise<SessionView & { cookieValue: string }> {
      const at = now();
      await deps.repo.removeExpired(at);
      const cookieValue = randomBytes(32).toString('base64url');
      const csrfSecret = csrf.secretSync();
      const row = await deps.repo.create({
        adminId: admin.id,
        sessionHash: sha256Hex(cookieValue),
        csrfSecret,
        expiresAt: new Date(at.getTime() + Math.min(deps.settings.idleSeconds, deps.settings.maxSeconds) * 1000),
        maxExpiresAt: new Date(at.getTime() + deps.settings.maxSeconds * 1000),
      });
      await deps.audit.record({ actor: `admin:${admin.username}`, action: 'auth.session.create', resourceType: 'admin-session', resourceId: row.id });
      return { cookieValue, admin: adminView(admin), csrfToken: csrf.create(csrfSecret, row.id) };
    },

    /** The actor of a cookie value, or null when the session is unknown, expired or its admin disabled. */
    async authenticate(cookieValue: string): Promise<{ actor: Actor; session: ConsoleSessionRef } | null> {
      const row = await deps.repo.findByHash(sha256Hex(cookieValue));
      if (!row) return null;
      const at = now();
      if (row.expiresAt.getTime() <= at.getTime() || row.admin.disabled || !isRole(row.admin.role)) return null;
      if (at.getTime() - row.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
        const expiresAt = new Date(Math.min(at.getTime() + deps.settings.idleSeconds * 1000, row.maxExpiresAt.getTime()));
        await deps.repo.touch(row.id, at, expiresAt);
      }
      return {
        actor: { adminId: row.adminId, username: row.admin.username, role: row.admin.role, tokenId: row.id, via: 'session' },
        session: { id: row.id, csrfSecret: row.csrfSecret },
      };
    },

    /** A fresh CSRF token of the session (any number may be valid at once). */
    csrfToken(session: ConsoleSessionRef): string {
      return csrf.create(session.csrfSecret, session.id);
    },

    verifyCsrf(session: ConsoleSessionRef, token: string): boolean {
      return csrf.verify(session.csrfSecret, token, session.id);
    },

    describe(actor: Actor, session: ConsoleSessionRef | undefined): SessionView {
      return {
        admin: { id: actor.adminId, username: actor.username, role: actor.role },
        // A bearer caller has no session; it gets a token it can never use (no secret behind it).
        csrfToken: session ? csrf.create(session.csrfSecret, session.id) : '',
      };
    },

    async close(actor: Actor, session: ConsoleSessionRef): Promise<void> {
      if (await deps.repo.remove(session.id)) {
        await deps.audit.record({ actor: actorName(actor), action: 'auth.session.delete', resourceType: 'admin-session', resourceId: session.id });
      }
    },
  };
}

export type ConsoleSessionService = ReturnType<typeof createConsoleSessionService>;
