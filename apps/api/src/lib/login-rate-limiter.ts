/**
 * Counts password attempts per client address in fixed windows, in memory. One instance is shared
 * by every route that checks an admin password (POST /auth/login and POST /auth/session), so that
 * switching routes does not reset the budget. `request.ip` is the address it is keyed by: behind a
 * proxy, set API_TRUST_PROXY so that it is the client's, not the proxy's.
 */
export interface LoginRateLimiter {
  /** Counts one attempt; `retryAfterSeconds` is set when the attempt is over the budget. */
  hit(key: string): { limited: boolean; retryAfterSeconds: number };
}

export function createLoginRateLimiter(options: { max: number; windowMs: number; now?: () => number; maxKeys?: number }): LoginRateLimiter {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 10_000;
  const attempts = new Map<string, { count: number; resetAt: number }>();
  return {
    hit(key) {
      const at = now();
      if (attempts.size > maxKeys) for (const [k, entry] of attempts) if (entry.resetAt <= at) attempts.delete(k);
      const entry = attempts.get(key);
      const current = entry && entry.resetAt > at ? entry : { count: 0, resetAt: at + options.windowMs };
      current.count += 1;
      attempts.set(key, current);
      const limited = current.count > options.max;
      return { limited, retryAfterSeconds: limited ? Math.max(1, Math.ceil((current.resetAt - at) / 1000)) : 0 };
    },
  };
}
