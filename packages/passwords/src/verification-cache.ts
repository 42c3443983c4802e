import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A bounded cache of recent successful verifications, so that a reconnect storm does not pay
 * argon2id for every device. Keyed by credential id; the value is an HMAC of the password under a
 * per-process random key, so the cache never holds a password or an unkeyed hash of one.
 * Entries expire after ttlMs and are dropped when the credential changes (invalidate).
 */
export class VerificationCache {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, { mac: Buffer; storedHash: string; expiresAt: number }>();

  constructor(
    private readonly maxEntries = 100_000,
    private readonly ttlMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  private mac(password: string | Buffer): Buffer {
    return createHmac('sha256', this.key).update(password).digest();
  }

  /** True when this password was verified recently against this exact stored hash. */
  has(credentialId: string, storedHash: string, password: string | Buffer): boolean {
    const entry = this.entries.get(credentialId);
    if (!entry) return false;
    if (entry.expiresAt <= this.now() || entry.storedHash !== storedHash) {
      this.entries.delete(credentialId);
      return false;
    }
    return timingSafeEqual(entry.mac, this.mac(password));
  }

  remember(credentialId: string, storedHash: string, password: string | Buffer): void {
    this.entries.delete(credentialId);
    if (this.entries.size >= this.maxEntries) {
      // Maps iterate in insertion order: the first key is the oldest entry.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(credentialId, { mac: this.mac(password), storedHash, expiresAt: this.now() + this.ttlMs });
  }

  invalidate(credentialId: string): void {
    this.entries.delete(credentialId);
  }

  clear(): void {
    this.entries.clear();
  }
}
