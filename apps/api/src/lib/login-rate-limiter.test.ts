import { describe, expect, it } from 'vitest';
import { createLoginRateLimiter } from './login-rate-limiter.js';

describe('createLoginRateLimiter', () => {
  it('allows max attempts per key per window, then says how long to wait', () => {
    let now = 0;
    const limiter = createLoginRateLimiter({ max: 2, windowMs: 60_000, now: () => now });
    expect(limiter.hit('a')).toEqual({ limited: false, retryAfterSeconds: 0 });
    expect(limiter.hit('a').limited).toBe(false);
    now = 15_000;
    expect(limiter.hit('a')).toEqual({ limited: true, retryAfterSeconds: 45 });
    // Another key has its own budget.
    expect(limiter.hit('b').limited).toBe(false);
    // A new window starts afresh.
    now = 60_000;
    expect(limiter.hit('a').limited).toBe(false);
  });

  it('stays bounded: expired keys are dropped once there are too many', () => {
    let now = 0;
    const limiter = createLoginRateLimiter({ max: 1, windowMs: 1000, now: () => now, maxKeys: 3 });
    for (const key of ['a', 'b', 'c', 'd']) limiter.hit(key);
    now = 2000;
    limiter.hit('e'); // sweeps a-d (expired)
    now = 2500;
    expect(limiter.hit('e').limited).toBe(true); // e's own count survived the sweep
  });
});
