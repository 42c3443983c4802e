import { describe, expect, it } from 'vitest';
import { decodeSession, encodeSession, type ConsoleSession } from './session';

const session: ConsoleSession = { kind: 'session', secret: 'api-cookie-value', csrfToken: 'csrf', username: 'alice', role: 'viewer', expiresAt: Date.now() + 60_000 };

describe('the console session cookie', () => {
  it('round-trips', () => {
    expect(decodeSession(encodeSession(session))).toEqual(session);
  });
  it('refuses a cookie whose payload was changed (e.g. a viewer making itself admin)', () => {
    const [payload, signature] = encodeSession(session).split('.');
    const forged = Buffer.from(JSON.stringify({ ...session, role: 'admin' })).toString('base64url');
    expect(payload).not.toBe(forged);
    expect(decodeSession(`${forged}.${signature}`)).toBeNull();
  });
  it('refuses an expired session and garbage', () => {
    expect(decodeSession(encodeSession({ ...session, expiresAt: Date.now() - 1 }))).toBeNull();
    expect(decodeSession('nonsense')).toBeNull();
    expect(decodeSession(undefined)).toBeNull();
  });
});
