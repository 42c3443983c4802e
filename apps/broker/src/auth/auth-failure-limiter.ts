export interface AuthFailureLimits {
  /** Failures within the window that lock the key out; 0 disables the limiter. */
  readonly maxFailures: number;
  readonly windowSeconds: number;
  /** How long a lockout lasts; 0 disables the limiter. */
  readonly lockoutSeconds: number;
  /** Keys tracked at most; the least recently touched are forgotten first. */
  readonly maxEntries?: number;
}

interface Counter {
  windowStart: number;
  failures: number;
  lockedUntil: number;
}

export type LockoutKey = { kind: 'ip'; value: string } | { kind: 'username'; value: string };

/**
 * Failed authentications counted per key (remote address, username) in a fixed window; reaching
 * the maximum locks the key out for a while. Memory is bounded: at most maxEntries keys, least
 * recently touched evicted first (a Map keeps insertion order; touching re-inserts).
 */
export class AuthFailureLimiter {
  private readonly counters = new Map<string, Counter>();
  private readonly maxEntries: number;

  constructor(
    private readonly limits: AuthFailureLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.maxEntries = limits.maxEntries ?? 100_000;
  }

  get enabled(): boolean {
    return this.limits.maxFailures > 0 && this.limits.lockoutSeconds > 0 && this.limits.windowSeconds > 0;
  }

  get trackedKeys(): number {
    return this.counters.size;
  }

  /** The first of the keys that is locked out now, if any. */
  lockedOut(keys: readonly LockoutKey[]): LockoutKey | undefined {
    if (!this.enabled) return undefined;
    const at = this.now();
    return keys.find((key) => (this.counters.get(id(key))?.lockedUntil ?? 0) > at);
  }

  /** Counts a failure for each key; returns the keys this failure locked out. */
  recordFailure(keys: readonly LockoutKey[]): LockoutKey[] {
    if (!this.enabled) return [];
    const at = this.now();
    const locked: LockoutKey[] = [];
    for (const key of keys) {
      const k = id(key);
      let counter = this.counters.get(k);
      this.counters.delete(k);
      if (!counter || at - counter.windowStart >= this.limits.windowSeconds * 1000) counter = { windowStart: at, failures: 0, lockedUntil: counter?.lockedUntil ?? 0 };
      counter.failures++;
      if (counter.failures >= this.limits.maxFailures && counter.lockedUntil <= at) {
        counter.lockedUntil = at + this.limits.lockoutSeconds * 1000;
        counter.failures = 0;
        counter.windowStart = at;
        locked.push(key);
      }
      this.counters.set(k, counter);
    }
    while (this.counters.size > this.maxEntries) {
      const oldest = this.counters.keys().next().value as string;
      this.counters.delete(oldest);
    }
    return locked;
  }

  /** A successful authentication clears the keys' failures (not a lockout in force). */
  recordSuccess(keys: readonly LockoutKey[]): void {
    const at = this.now();
    for (const key of keys) {
      const counter = this.counters.get(id(key));
      if (counter && counter.lockedUntil <= at) this.counters.delete(id(key));
    }
  }
}

const id = (key: LockoutKey): string => `${key.kind}\u0000${key.value}`;
