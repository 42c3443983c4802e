import { describe, expect, it } from 'vitest';
import { UserLookupCache } from '../../src/auth/user-lookup-cache.js';

function cache(options: { ttlMs?: number; maxEntries?: number } = {}) {
  let now = 1_000;
  const users = new UserLookupCache<string>({ ttlMs: options.ttlMs ?? 60_000, maxEntries: options.maxEntries ?? 10, now: () => now });
  return { users, advance: (ms: number) => (now += ms) };
}

describe('UserLookupCache', () => {
  it('holds a user until its time to live has passed', () => {
    const { users, advance } = cache({ ttlMs: 1000 });
    users.set('alice', 'row', users.begin());
    advance(999);
    expect(users.get('alice')).toBe('row');
    advance(1);
    expect(users.get('alice')).toBeUndefined();
    expect(users.size).toBe(0);
  });

  it('invalidate drops one user, clear drops all', () => {
    const { users } = cache();
    users.set('alice', 'a', users.begin());
    users.set('bob', 'b', users.begin());
    users.invalidate('alice');
    expect(users.get('alice')).toBeUndefined();
    expect(users.get('bob')).toBe('b');
    users.clear();
    expect(users.get('bob')).toBeUndefined();
  });

  it('does not store what a lookup read before an invalidation arrived (it may be stale)', () => {
    const { users } = cache();
    const generation = users.begin();
    users.invalidate('alice'); // the NOTIFY arrives while the query is in flight
    users.set('alice', 'read before the change', generation);
    expect(users.get('alice')).toBeUndefined();
    users.set('alice', 'read after', users.begin());
    expect(users.get('alice')).toBe('read after');
  });

  it('holds at most maxEntries users, dropping the oldest', () => {
    const { users } = cache({ maxEntries: 2 });
    users.set('a', '1', users.begin());
    users.set('b', '2', users.begin());
    users.set('c', '3', users.begin());
    expect(users.size).toBe(2);
    expect(users.get('a')).toBeUndefined();
    expect(users.get('c')).toBe('3');
  });

  it('holds nothing when disabled (ttl 0)', () => {
    const { users } = cache({ ttlMs: 0 });
    users.set('alice', 'row', users.begin());
    expect(users.enabled).toBe(false);
    expect(users.get('alice')).toBeUndefined();
  });
});
