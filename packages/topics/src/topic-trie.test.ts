import { describe, expect, it } from 'vitest';
import { topicMatchesFilter } from './topic-filter.js';
import { TopicTrie } from './topic-trie.js';

function sorted<T>(values: T[]): T[] {
  return [...values].sort();
}

function matchedPairs<T>(trie: TopicTrie<T>, topic: string): Array<[string, T]> {
  const pairs: Array<[string, T]> = [];
  trie.matchEach(topic, (value, filter) => pairs.push([filter, value]));
  return pairs.sort((a, b) => (`${a[0]}|${String(a[1])}` < `${b[0]}|${String(b[1])}` ? -1 : 1));
}

describe('TopicTrie add / has / size / entries', () => {
  it('starts empty', () => {
    const trie = new TopicTrie<string>();
    expect(trie.size).toBe(0);
    expect([...trie.entries()]).toEqual([]);
    expect(trie.match('a')).toEqual([]);
    expect(trie.has('a', 'x')).toBe(false);
  });

  it('stores (filter, value) pairs once each, comparing values with ===', () => {
    const trie = new TopicTrie<object>();
    const v1 = { id: 1 };
    const v2 = { id: 1 };
    trie.add('a/b', v1);
    trie.add('a/b', v1);
    expect(trie.size).toBe(1);
    trie.add('a/b', v2); // equal in shape, not identical
    expect(trie.size).toBe(2);
    trie.add('a/+', v1); // same value, another filter
    expect(trie.size).toBe(3);
    expect(trie.has('a/b', v1)).toBe(true);
    expect(trie.has('a/b', v2)).toBe(true);
    expect(trie.has('a/+', v1)).toBe(true);
    expect(trie.has('a/+', v2)).toBe(false);
    expect(trie.has('a/#', v1)).toBe(false);
    expect(trie.has('a', v1)).toBe(false);
    expect(trie.has('a/b/c', v1)).toBe(false);
  });

  it('has() looks up exact filters, not matching ones', () => {
    const trie = new TopicTrie<string>();
    trie.add('a/#', 'x');
    trie.add('+', 'y');
    expect(trie.has('a/#', 'x')).toBe(true);
    expect(trie.has('a/b', 'x')).toBe(false);
    expect(trie.has('a', 'x')).toBe(false);
    expect(trie.has('+', 'y')).toBe(true);
    expect(trie.has('b', 'y')).toBe(false);
  });

  it('lists every (filter, value) pair from entries()', () => {
    const trie = new TopicTrie<number>();
    const pairs: Array<[string, number]> = [
      ['#', 1],
      ['a', 2],
      ['a', 3],
      ['a/b', 2],
      ['a/+', 4],
      ['a/#', 5],
      ['+/+/#', 6],
      ['/', 7],
      ['a//b', 8],
      ['$SYS/#', 9],
    ];
    for (const [filter, value] of pairs) trie.add(filter, value);
    expect(trie.size).toBe(pairs.length);
    const listed = [...trie.entries()];
    expect(listed).toHaveLength(pairs.length);
    expect(new Set(listed.map(([f, v]) => `${f}|${v}`))).toEqual(new Set(pairs.map(([f, v]) => `${f}|${v}`)));
  });

  it('refuses invalid topic filters', () => {
    const trie = new TopicTrie<string>();
    for (const filter of ['', 'a#', 'a/#/b', 'a+', '++', '#/', 'a/\u0000', '+a/b']) {
      expect(() => trie.add(filter, 'x'), filter).toThrow(TypeError);
    }
    expect(trie.size).toBe(0);
    expect([...trie.entries()]).toEqual([]);
  });
});

describe('TopicTrie remove', () => {
  it('removes one value from one filter and reports whether it was there', () => {
    const trie = new TopicTrie<string>();
    trie.add('a/b', 'x');
    trie.add('a/b', 'y');
    trie.add('a/+', 'x');
    expect(trie.remove('a/b', 'x')).toBe(true);
    expect(trie.size).toBe(2);
    expect(trie.has('a/b', 'x')).toBe(false);
    expect(trie.has('a/b', 'y')).toBe(true);
    expect(trie.has('a/+', 'x')).toBe(true);
    expect(sorted(trie.match('a/b'))).toEqual(['x', 'y']);
    expect(trie.remove('a/b', 'x')).toBe(false);
    expect(trie.remove('a/c', 'y')).toBe(false);
    expect(trie.remove('a', 'y')).toBe(false);
    expect(trie.remove('a/b/c', 'y')).toBe(false);
    expect(trie.remove('a/#', 'y')).toBe(false);
    expect(trie.remove('a/b', 'z')).toBe(false);
    expect(trie.size).toBe(2);
  });

  it('returns false for invalid filters instead of throwing', () => {
    const trie = new TopicTrie<string>();
    trie.add('a/#', 'x');
    expect(trie.remove('a/#/b', 'x')).toBe(false);
    expect(trie.remove('', 'x')).toBe(false);
    expect(trie.remove('a#', 'x')).toBe(false);
    expect(trie.size).toBe(1);
  });

  it('prunes nodes left empty, down to an empty trie', () => {
    const trie = new TopicTrie<string>();
    const filters = ['a/b/c/d', 'a/b', 'a/+/c', 'a/#', '#', '+', '+/+/#', '/', 'a//b', '$SYS/broker/#'];
    for (const filter of filters) trie.add(filter, 'x');
    expect(trie.size).toBe(filters.length);
    for (const filter of filters) expect(trie.remove(filter, 'x'), filter).toBe(true);
    expect(trie.size).toBe(0);
    expect([...trie.entries()]).toEqual([]);
    expect(trie.match('a/b/c/d')).toEqual([]);
    expect(isPristine(trie)).toBe(true);
  });

  it('prunes only the branch that became empty', () => {
    const trie = new TopicTrie<string>();
    trie.add('a/b/c', 'x');
    trie.add('a/b', 'y');
    expect(trie.remove('a/b/c', 'x')).toBe(true);
    // The node for 'a/b' keeps its value; the one for 'a/b/c' is gone.
    expect(trie.match('a/b')).toEqual(['y']);
    expect(trie.has('a/b/c', 'x')).toBe(false);
    trie.add('a/b/c', 'x');
    expect(trie.remove('a/b', 'y')).toBe(true);
    // 'a/b' has no value left but still leads to 'a/b/c'.
    expect(trie.match('a/b/c')).toEqual(['x']);
    expect(trie.match('a/b')).toEqual([]);
    expect(trie.remove('a/b/c', 'x')).toBe(true);
    expect(isPristine(trie)).toBe(true);
  });

  it('can add again what was removed', () => {
    const trie = new TopicTrie<string>();
    trie.add('a/+', 'x');
    trie.remove('a/+', 'x');
    trie.add('a/+', 'x');
    expect(trie.size).toBe(1);
    expect(trie.match('a/b')).toEqual(['x']);
    expect([...trie.entries()]).toEqual([['a/+', 'x']]);
  });
});

describe('TopicTrie match / matchEach', () => {
  it('matches literal filters exactly, empty levels included', () => {
    const trie = new TopicTrie<string>();
    trie.add('a/b', 'ab');
    trie.add('a//b', 'a--b');
    trie.add('/a', '-a');
    trie.add('a/', 'a-');
    trie.add('/', '-');
    expect(trie.match('a/b')).toEqual(['ab']);
    expect(trie.match('a//b')).toEqual(['a--b']);
    expect(trie.match('/a')).toEqual(['-a']);
    expect(trie.match('a/')).toEqual(['a-']);
    expect(trie.match('/')).toEqual(['-']);
    expect(trie.match('a')).toEqual([]);
    expect(trie.match('a/b/c')).toEqual([]);
    expect(trie.match('//')).toEqual([]);
  });

  it('[MQTT-4.7.1-1] # matches its parent level and everything below', () => {
    const trie = new TopicTrie<string>();
    trie.add('sport/tennis/#', 'st#');
    trie.add('sport/#', 's#');
    trie.add('#', '#');
    expect(sorted(trie.match('sport/tennis'))).toEqual(['#', 's#', 'st#']);
    expect(sorted(trie.match('sport/tennis/player1/ranking'))).toEqual(['#', 's#', 'st#']);
    expect(sorted(trie.match('sport/tennis/'))).toEqual(['#', 's#', 'st#']);
    expect(sorted(trie.match('sport'))).toEqual(['#', 's#']);
    expect(sorted(trie.match('sport/'))).toEqual(['#', 's#']);
    expect(sorted(trie.match('sport/badminton'))).toEqual(['#', 's#']);
    expect(trie.match('other')).toEqual(['#']);
    expect(trie.match('/')).toEqual(['#']);
  });

  it('[MQTT-4.7.1-2] + matches exactly one, possibly empty, level', () => {
    const trie = new TopicTrie<string>();
    trie.add('+/+', '++');
    trie.add('/+', '-+');
    trie.add('+', '+');
    trie.add('sport/+', 's+');
    expect(sorted(trie.match('/finance'))).toEqual(['++', '-+']);
    expect(trie.match('finance')).toEqual(['+']);
    expect(sorted(trie.match('sport/'))).toEqual(['++', 's+']);
    expect(trie.match('sport')).toEqual(['+']);
    expect(trie.match('sport/tennis/x')).toEqual([]);
    expect(sorted(trie.match('/'))).toEqual(['++', '-+']);
  });

  it('[MQTT-4.7.2-1] does not match $ topics with filters starting with a wildcard', () => {
    const trie = new TopicTrie<string>();
    trie.add('#', '#');
    trie.add('+/x', '+/x');
    trie.add('+/#', '+/#');
    trie.add('+', '+');
    trie.add('$SYS/#', '$SYS/#');
    trie.add('$SYS/+', '$SYS/+');
    trie.add('$SYS/x', '$SYS/x');
    expect(sorted(trie.match('$SYS/x'))).toEqual(['$SYS/#', '$SYS/+', '$SYS/x']);
    expect(trie.match('$SYS')).toEqual(['$SYS/#']);
    expect(trie.match('$other')).toEqual([]);
    expect(sorted(trie.match('SYS/x'))).toEqual(['#', '+/#', '+/x']);
    // '$' at the start of a later level is ordinary.
    expect(sorted(trie.match('a/$SYS'))).toEqual(['#', '+/#']);
  });

  it('returns a value once per matching filter (the caller deduplicates)', () => {
    const trie = new TopicTrie<string>();
    trie.add('a/b', 'x');
    trie.add('a/+', 'x');
    trie.add('a/#', 'x');
    trie.add('#', 'x');
    trie.add('b/#', 'x');
    expect(trie.match('a/b')).toEqual(['x', 'x', 'x', 'x']);
  });

  it('matchEach tells which filter each value matched through', () => {
    const trie = new TopicTrie<string>();
    trie.add('a/b', 'x');
    trie.add('a/+', 'x');
    trie.add('a/+', 'y');
    trie.add('a/#', 'z');
    trie.add('b/#', 'z');
    expect(matchedPairs(trie, 'a/b')).toEqual([
      ['a/#', 'z'],
      ['a/+', 'x'],
      ['a/+', 'y'],
      ['a/b', 'x'],
    ]);
    expect(matchedPairs(trie, 'a')).toEqual([['a/#', 'z']]);
  });

  it('lets the visitor match again and mutate the trie', () => {
    const trie = new TopicTrie<string>();
    trie.add('a/+', 'x');
    trie.add('a/b', 'y');
    trie.add('#', 'z');
    const seen: string[] = [];
    trie.matchEach('a/b', (value) => {
      seen.push(value);
      // A nested match, from a visitor, is complete and independent.
      expect(sorted(trie.match('a/c'))).toEqual(sorted(trie.has('a/+', 'x') ? ['x', 'z'] : ['z']));
    });
    expect(sorted(seen)).toEqual(['x', 'y', 'z']);
    trie.matchEach('a/b', (value, filter) => {
      trie.remove(filter, value);
    });
    expect(trie.size).toBe(0);
    expect(isPristine(trie)).toBe(true);
    // Still usable afterwards.
    trie.add('a/b', 'w');
    expect(trie.match('a/b')).toEqual(['w']);
  });

  it('recovers from a visitor that throws', () => {
    const trie = new TopicTrie<string>();
    trie.add('a/+', 'x');
    trie.add('a/b', 'y');
    expect(() =>
      trie.matchEach('a/b', () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(sorted(trie.match('a/b'))).toEqual(['x', 'y']);
  });

  it('handles very deep filters and topics without exhausting the stack', () => {
    const trie = new TopicTrie<string>();
    const depth = 30000;
    const deepFilter = Array.from({ length: depth }, () => '+').join('/');
    const deepTopic = '/'.repeat(depth - 1); // depth empty levels
    trie.add(deepFilter, 'deep');
    trie.add(`${deepFilter}/#`, 'deeper');
    trie.add('#', 'all');
    expect(sorted(trie.match(deepTopic))).toEqual(['all', 'deep', 'deeper']);
    expect(sorted(trie.match(`${deepTopic}/x`))).toEqual(['all', 'deeper']);
    expect(trie.remove(deepFilter, 'deep')).toBe(true);
    expect(trie.remove(`${deepFilter}/#`, 'deeper')).toBe(true);
    expect([...trie.entries()]).toEqual([['#', 'all']]);
  });
});

describe('TopicTrie against topicMatchesFilter (property-style, seeded)', () => {
  const LEVELS = ['a', 'b', 'c', '', '$SYS', '$x', 'a$', 'é'];

  function generator(seed: number): () => number {
    // mulberry32: small, deterministic, good enough to spread test cases.
    let state = seed >>> 0;
    return () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function pick<T>(random: () => number, items: readonly T[]): T {
    return items[Math.floor(random() * items.length)]!;
  }

  function randomTopic(random: () => number): string {
    const depth = 1 + Math.floor(random() * 5);
    const levels: string[] = [];
    for (let i = 0; i < depth; i++) levels.push(pick(random, LEVELS));
    const topic = levels.join('/');
    return topic === '' ? 'a' : topic; // a lone empty level is no topic at all
  }

  function randomFilter(random: () => number): string {
    const depth = 1 + Math.floor(random() * 5);
    const levels: string[] = [];
    for (let i = 0; i < depth; i++) levels.push(random() < 0.3 ? '+' : pick(random, LEVELS));
    if (random() < 0.3) {
      if (random() < 0.5) levels[levels.length - 1] = '#';
      else levels.push('#');
    }
    const filter = levels.join('/');
    return filter === '' ? 'a' : filter; // a lone empty level is no filter at all
  }

  function expectedMatches(pairs: ReadonlyArray<readonly [string, number]>, topic: string): string[] {
    return pairs
      .filter(([filter]) => topicMatchesFilter(filter, topic))
      .map(([filter, value]) => `${filter}|${value}`)
      .sort();
  }

  function actualMatches(trie: TopicTrie<number>, topic: string): string[] {
    const out: string[] = [];
    trie.matchEach(topic, (value, filter) => out.push(`${filter}|${value}`));
    return out.sort();
  }

  for (const seed of [1, 2, 3, 42, 1234]) {
    it(`[MQTT-4.7.1-1] [MQTT-4.7.1-2] [MQTT-4.7.2-1] matches exactly what topicMatchesFilter matches (seed ${seed})`, () => {
      const random = generator(seed);
      const trie = new TopicTrie<number>();
      const stored = new Map<string, readonly [string, number]>();
      for (let i = 0; i < 400; i++) {
        const filter = randomFilter(random);
        const value = Math.floor(random() * 20);
        trie.add(filter, value);
        stored.set(`${filter}|${value}`, [filter, value]);
      }
      expect(trie.size).toBe(stored.size);

      let nonEmpty = 0;
      for (let i = 0; i < 1000; i++) {
        const topic = randomTopic(random);
        const expected = expectedMatches([...stored.values()], topic);
        if (expected.length > 0) nonEmpty++;
        expect(actualMatches(trie, topic), topic).toEqual(expected);
        expect(trie.match(topic).length, topic).toBe(expected.length);
      }
      expect(nonEmpty).toBeGreaterThan(100);

      // Remove about half of the pairs (and some that are not there), then compare again.
      const pairs = [...stored.values()];
      for (const [filter, value] of pairs) {
        if (random() < 0.5) {
          expect(trie.remove(filter, value)).toBe(true);
          stored.delete(`${filter}|${value}`);
        } else {
          expect(trie.remove(filter, value + 100)).toBe(false);
        }
      }
      expect(trie.size).toBe(stored.size);
      expect(new Set([...trie.entries()].map(([f, v]) => `${f}|${v}`))).toEqual(new Set(stored.keys()));
      for (let i = 0; i < 1000; i++) {
        const topic = randomTopic(random);
        expect(actualMatches(trie, topic), topic).toEqual(expectedMatches([...stored.values()], topic));
      }

      // Remove the rest: nothing may be left behind.
      for (const [filter, value] of stored.values()) expect(trie.remove(filter, value)).toBe(true);
      expect(trie.size).toBe(0);
      expect(isPristine(trie)).toBe(true);
    });
  }
});

/** Whether the trie has no nodes left below its root (reaches into the private root on purpose). */
function isPristine<T>(trie: TopicTrie<T>): boolean {
  const root = (trie as unknown as { root: { children?: Map<string, unknown>; plus?: unknown; hash?: unknown; values?: unknown } }).root;
  return root.children === undefined && root.plus === undefined && root.hash === undefined && root.values === undefined;
}
