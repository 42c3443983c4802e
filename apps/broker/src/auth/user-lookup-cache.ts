/**
 * MQTT users (with their credentials) recently read from Postgres, by username, so that a client
 * reconnecting does not cost a database round trip per CONNECT. Only users that exist are held:
 * a user created after a failed lookup is found at once.
 *
 * Freshness: the broker drops a username when its credentialsChanged notification arrives (the
 * API sends one for every change to a user or its credentials), and everything when the control
 * listener reconnects (notifications sent meanwhile are lost). A change made behind the API's
 * back, straight in SQL without a NOTIFY, is seen after at most `ttlMs`. Expiry of a credential
 * is judged at each CONNECT from the held `expiresAt`, so it needs no invalidation.
 *
 * A lookup that started before an invalidation must not store what it read: `begin()` returns
 * a generation, and `set()` ignores values read under an older one.
 */
export class UserLookupCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();
  private generation = 0;

  constructor(
    private readonly options: { ttlMs: number; maxEntries: number; now?: () => number },
  ) {}

  get enabled(): boolean {
    return this.options.ttlMs > 0 && this.options.maxEntries > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  get(username: string): T | undefined {
    const entry = this.entries.get(username);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(username);
      return undefined;
    }
    return entry.value;
  }

  /** Call before reading from the database; pass the result to `set`. */
  begin(): number {
    return this.generation;
  }

  set(username: string, value: T, generation: number): void {
    if (!this.enabled || generation !== this.generation) return;
    this.entries.delete(username);
    if (this.entries.size >= this.options.maxEntries) {
      // Oldest insertion first: a Map iterates in insertion order.
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(username, { value, expiresAt: this.now() + this.options.ttlMs });
  }

  invalidate(username: string): void {
    this.generation++;
    this.entries.delete(username);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
