import { describe, expect, it } from 'vitest';
import { generateSecret, hashPassword, verifyPassword } from './password-hasher.js';
import { VerificationCache } from './verification-cache.js';

describe('argon2id hashing', () => {
  it('hashes with argon2id at the documented parameters and verifies only the right password', async () => {
    const hash = await hashPassword('s3cret');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, 's3cret')).toBe(true);
    expect(await verifyPassword(hash, 's3cret!')).toBe(false);
  });

  it('treats a malformed stored hash as a failed verification', async () => {
    expect(await verifyPassword('not-a-hash', 'x')).toBe(false);
  });

  it('generates distinct 32-character secrets', () => {
    const a = generateSecret();
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(generateSecret()).not.toBe(a);
  });
});

describe('VerificationCache', () => {
  it('remembers a verified password for its credential and stored hash only', () => {
    const cache = new VerificationCache();
    cache.remember('c1', 'hash-1', 'pw');
    expect(cache.has('c1', 'hash-1', 'pw')).toBe(true);
    expect(cache.has('c1', 'hash-1', 'other')).toBe(false);
    expect(cache.has('c2', 'hash-1', 'pw')).toBe(false);
    // The credential's hash changed (rotation): the entry no longer counts.
    expect(cache.has('c1', 'hash-2', 'pw')).toBe(false);
    expect(cache.has('c1', 'hash-1', 'pw')).toBe(false);
  });

  it('expires entries and can be invalidated', () => {
    let now = 0;
    const cache = new VerificationCache(10, 1000, () => now);
    cache.remember('c1', 'h', 'pw');
    cache.remember('c2', 'h', 'pw');
    cache.invalidate('c2');
    expect(cache.has('c2', 'h', 'pw')).toBe(false);
    now = 1000;
    expect(cache.has('c1', 'h', 'pw')).toBe(false);
  });

  it('is bounded: the oldest entry goes first', () => {
    const cache = new VerificationCache(2);
    cache.remember('a', 'h', 'pw');
    cache.remember('b', 'h', 'pw');
    cache.remember('c', 'h', 'pw');
    expect(cache.size).toBe(2);
    expect(cache.has('a', 'h', 'pw')).toBe(false);
    expect(cache.has('c', 'h', 'pw')).toBe(true);
  });
});
