import { describe, expect, it } from 'vitest';
import { hasWildcard, isValidTopicFilter, topicMatchesFilter } from './topic-filter.js';

describe('isValidTopicFilter', () => {
  it('accepts filters without wildcards, including separators and empty levels', () => {
    for (const filter of ['a', 'sport/tennis/player1', '/', '//', '/a', 'a/', 'a//b', ' ', '$SYS/broker', 'é/€/😀']) {
      expect(isValidTopicFilter(filter), filter).toBe(true);
    }
  });

  it('[MQTT-4.7.3-1] refuses the empty string', () => {
    expect(isValidTopicFilter('')).toBe(false);
  });

  it('[MQTT-4.7.3-2] refuses the null character U+0000', () => {
    expect(isValidTopicFilter('\u0000')).toBe(false);
    expect(isValidTopicFilter('a/\u0000/b')).toBe(false);
    expect(isValidTopicFilter('a/#\u0000')).toBe(false);
    expect(isValidTopicFilter('+/\u0000')).toBe(false);
  });

  it('[MQTT-4.7.3-3] accepts up to 65535 UTF-8 bytes and refuses more', () => {
    expect(isValidTopicFilter('a'.repeat(65533) + '/#')).toBe(true);
    expect(isValidTopicFilter('a'.repeat(65534) + '/#')).toBe(false);
    expect(isValidTopicFilter('€'.repeat(21844) + '/#')).toBe(true); // 65532 + 2 bytes
    expect(isValidTopicFilter('€'.repeat(21845) + '/#')).toBe(false); // 65535 + 2 bytes
  });

  it('[MQTT-4.7.1-1] accepts # alone or as the whole last level', () => {
    for (const filter of ['#', '/#', 'a/#', 'sport/tennis/player1/#', '+/#', 'a//#', '$SYS/#']) {
      expect(isValidTopicFilter(filter), filter).toBe(true);
    }
  });

  it('[MQTT-4.7.1-1] refuses # that is not the last character or not a whole level', () => {
    for (const filter of ['a#', 'sport/tennis#', '#a', '#/', '#/a', 'a/#/b', 'sport/tennis/#/ranking', '##', 'a/##', 'a/#/', '+#', 'a/+#', '#+', 'a/b#/c']) {
      expect(isValidTopicFilter(filter), filter).toBe(false);
    }
  });

  it('[MQTT-4.7.1-2] accepts + as a whole level at any level', () => {
    for (const filter of ['+', '+/', '/+', '+/+', '+/tennis/#', 'sport/+/player1', 'a/+/+/b', '+//+', '+/+/+/#']) {
      expect(isValidTopicFilter(filter), filter).toBe(true);
    }
  });

  it('[MQTT-4.7.1-2] refuses + that does not occupy a whole level', () => {
    for (const filter of ['a+', 'sport+', '+a', '++', 'a/++/b', 'a/b+', 'a/+b', 'a/b+c/d', '+/a+', '++/#']) {
      expect(isValidTopicFilter(filter), filter).toBe(false);
    }
  });
});

describe('hasWildcard', () => {
  it('tells filters with + or # from those without', () => {
    expect(hasWildcard('#')).toBe(true);
    expect(hasWildcard('+')).toBe(true);
    expect(hasWildcard('a/+/b')).toBe(true);
    expect(hasWildcard('a/#')).toBe(true);
    expect(hasWildcard('a')).toBe(false);
    expect(hasWildcard('a/b/c')).toBe(false);
    expect(hasWildcard('/')).toBe(false);
    expect(hasWildcard('$SYS/broker')).toBe(false);
    expect(hasWildcard('$share/g/a')).toBe(false);
  });
});

describe('topicMatchesFilter', () => {
  it('matches a filter without wildcards only to the identical topic', () => {
    expect(topicMatchesFilter('a/b', 'a/b')).toBe(true);
    expect(topicMatchesFilter('a/b', 'a/b/c')).toBe(false);
    expect(topicMatchesFilter('a/b', 'a')).toBe(false);
    expect(topicMatchesFilter('a/b', 'a/bc')).toBe(false);
    expect(topicMatchesFilter('a/bc', 'a/b')).toBe(false);
    expect(topicMatchesFilter('a', 'a/')).toBe(false);
    expect(topicMatchesFilter('a/', 'a')).toBe(false);
    expect(topicMatchesFilter('/a', 'a')).toBe(false);
    expect(topicMatchesFilter('/', '/')).toBe(true);
    expect(topicMatchesFilter('/', '//')).toBe(false);
  });

  it('[MQTT-4.7.3-4] compares levels exactly: case, spaces and Unicode forms count', () => {
    expect(topicMatchesFilter('ACCOUNTS', 'Accounts')).toBe(false);
    expect(topicMatchesFilter('a b', 'a b')).toBe(true);
    expect(topicMatchesFilter('a b', 'ab')).toBe(false);
    expect(topicMatchesFilter('\u00e9', 'e\u0301')).toBe(false);
    expect(topicMatchesFilter('😀/+', '😀/x')).toBe(true);
  });

  it('treats empty levels as levels', () => {
    expect(topicMatchesFilter('a//b', 'a//b')).toBe(true);
    expect(topicMatchesFilter('a/b', 'a//b')).toBe(false);
    expect(topicMatchesFilter('a/+/b', 'a//b')).toBe(true);
    expect(topicMatchesFilter('a/+', 'a//b')).toBe(false);
    expect(topicMatchesFilter('a/+/+', 'a//b')).toBe(true);
    expect(topicMatchesFilter('+/+/+', '//')).toBe(true);
    expect(topicMatchesFilter('+/+', '//')).toBe(false);
  });

  it('[MQTT-4.7.1-1] # matches its parent and any number of child levels', () => {
    // The specification's examples.
    expect(topicMatchesFilter('sport/tennis/player1/#', 'sport/tennis/player1')).toBe(true);
    expect(topicMatchesFilter('sport/tennis/player1/#', 'sport/tennis/player1/ranking')).toBe(true);
    expect(topicMatchesFilter('sport/tennis/player1/#', 'sport/tennis/player1/score/wimbledon')).toBe(true);
    expect(topicMatchesFilter('sport/#', 'sport')).toBe(true);
    // More.
    expect(topicMatchesFilter('sport/tennis/#', 'sport/tennis')).toBe(true);
    expect(topicMatchesFilter('sport/tennis/#', 'sport/tennis/')).toBe(true);
    expect(topicMatchesFilter('sport/tennis/#', 'sport')).toBe(false);
    expect(topicMatchesFilter('sport/tennis/#', 'sport/')).toBe(false);
    expect(topicMatchesFilter('sport/tennis/#', 'sport/tennisball')).toBe(false);
    expect(topicMatchesFilter('sport/tennis/#', 'sport/tenni')).toBe(false);
    expect(topicMatchesFilter('sport/tennis/#', 'sport/badminton/x')).toBe(false);
    expect(topicMatchesFilter('a/#', 'a')).toBe(true);
    expect(topicMatchesFilter('a/#', 'ab')).toBe(false);
    expect(topicMatchesFilter('a/#', 'b')).toBe(false);
  });

  it('[MQTT-4.7.1-1] # alone matches every topic not starting with $', () => {
    for (const topic of ['a', 'a/b/c', '/', '/a', 'a/', '//', ' ', 'sport/tennis/player1']) {
      expect(topicMatchesFilter('#', topic), topic).toBe(true);
    }
  });

  it('[MQTT-4.7.1-1] /# matches the topics whose first level is empty', () => {
    expect(topicMatchesFilter('/#', '/')).toBe(true);
    expect(topicMatchesFilter('/#', '/a')).toBe(true);
    expect(topicMatchesFilter('/#', '/a/b')).toBe(true);
    expect(topicMatchesFilter('/#', 'a')).toBe(false);
    expect(topicMatchesFilter('/#', 'a/b')).toBe(false);
  });

  it('[MQTT-4.7.1-2] + matches exactly one level', () => {
    // The specification's examples.
    expect(topicMatchesFilter('sport/tennis/+', 'sport/tennis/player1')).toBe(true);
    expect(topicMatchesFilter('sport/tennis/+', 'sport/tennis/player2')).toBe(true);
    expect(topicMatchesFilter('sport/tennis/+', 'sport/tennis/player1/ranking')).toBe(false);
    expect(topicMatchesFilter('sport/+', 'sport')).toBe(false);
    expect(topicMatchesFilter('sport/+', 'sport/')).toBe(true);
    // More.
    expect(topicMatchesFilter('+', 'a')).toBe(true);
    expect(topicMatchesFilter('+', 'a/b')).toBe(false);
    expect(topicMatchesFilter('+', '/')).toBe(false);
    expect(topicMatchesFilter('sport/+/player1', 'sport/tennis/player1')).toBe(true);
    expect(topicMatchesFilter('sport/+/player1', 'sport/tennis/player2')).toBe(false);
    expect(topicMatchesFilter('sport/+/player1', 'sport/player1')).toBe(false);
    expect(topicMatchesFilter('+/tennis/#', 'sport/tennis')).toBe(true);
    expect(topicMatchesFilter('+/tennis/#', 'sport/tennis/player1/ranking')).toBe(true);
    expect(topicMatchesFilter('+/tennis/#', 'sport/badminton')).toBe(false);
    expect(topicMatchesFilter('a/+/#', 'a')).toBe(false);
    expect(topicMatchesFilter('a/+/#', 'a/b')).toBe(true);
    expect(topicMatchesFilter('a/+/#', 'a/')).toBe(true);
    expect(topicMatchesFilter('a/+/b', 'a/x')).toBe(false);
    expect(topicMatchesFilter('+/+', 'a')).toBe(false);
  });

  it('[MQTT-4.7.1-2] + matches an empty level: /finance against +/+, /+ and +', () => {
    expect(topicMatchesFilter('+/+', '/finance')).toBe(true);
    expect(topicMatchesFilter('/+', '/finance')).toBe(true);
    expect(topicMatchesFilter('+', '/finance')).toBe(false);
    expect(topicMatchesFilter('+/finance', '/finance')).toBe(true);
    expect(topicMatchesFilter('+/+', 'finance/')).toBe(true);
    expect(topicMatchesFilter('+/+', '/')).toBe(true);
  });

  it('[MQTT-4.7.2-1] a filter starting with a wildcard does not match a topic starting with $', () => {
    expect(topicMatchesFilter('#', '$SYS')).toBe(false);
    expect(topicMatchesFilter('#', '$SYS/x')).toBe(false);
    expect(topicMatchesFilter('+', '$SYS')).toBe(false);
    expect(topicMatchesFilter('+/x', '$SYS/x')).toBe(false);
    expect(topicMatchesFilter('+/#', '$SYS/x')).toBe(false);
    expect(topicMatchesFilter('+/monitor/Clients', '$SYS/monitor/Clients')).toBe(false);
    expect(topicMatchesFilter('+/+', '$/x')).toBe(false);
    expect(topicMatchesFilter('#', '$')).toBe(false);
  });

  it('[MQTT-4.7.2-1] filters whose first level is literal still match $ topics', () => {
    expect(topicMatchesFilter('$SYS/#', '$SYS/x')).toBe(true);
    expect(topicMatchesFilter('$SYS/#', '$SYS')).toBe(true);
    expect(topicMatchesFilter('$SYS/#', '$SYS/broker/clients/connected')).toBe(true);
    expect(topicMatchesFilter('$SYS/+', '$SYS/x')).toBe(true);
    expect(topicMatchesFilter('$SYS/monitor/+', '$SYS/monitor/Clients')).toBe(true);
    expect(topicMatchesFilter('$SYS/x', '$SYS/x')).toBe(true);
    expect(topicMatchesFilter('$SYS/#', '$SYSTEM/x')).toBe(false);
    // '$' elsewhere than the first character is ordinary.
    expect(topicMatchesFilter('#', 'a/$SYS')).toBe(true);
    expect(topicMatchesFilter('+/+', 'a/$b')).toBe(true);
    expect(topicMatchesFilter('+', 'a$')).toBe(true);
  });

  it('agrees with a level-by-level reference on every filter/topic pair of a small alphabet', () => {
    const topics = allTopics(['a', 'b', '', '$'], 3);
    const filters = allFilters(['a', '', '$', '+'], 3);
    let matches = 0;
    for (const filter of filters) {
      expect(isValidTopicFilter(filter), filter).toBe(true);
      for (const topic of topics) {
        const expected = referenceMatch(filter, topic);
        if (expected) matches++;
        if (topicMatchesFilter(filter, topic) !== expected) {
          expect.fail(`topicMatchesFilter(${JSON.stringify(filter)}, ${JSON.stringify(topic)}) should be ${expected}`);
        }
      }
    }
    expect(matches).toBeGreaterThan(100);
  });
});

/** Matching written the obvious way, on split levels, to check the fast one against. */
function referenceMatch(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Every topic of 1..maxDepth levels over `levels`. */
function allTopics(levels: string[], maxDepth: number): string[] {
  const out: string[] = [];
  const walk = (prefix: string[], depth: number): void => {
    if (depth > 0) out.push(prefix.join('/'));
    if (depth === maxDepth) return;
    for (const level of levels) walk([...prefix, level], depth + 1);
  };
  walk([], 0);
  return out.filter((t) => t !== '');
}

/** Every filter of 1..maxDepth levels over `levels`, each also with a trailing '#' level. */
function allFilters(levels: string[], maxDepth: number): string[] {
  const out = new Set<string>(['#']);
  for (const topic of allTopics(levels, maxDepth)) {
    out.add(topic);
    out.add(`${topic}/#`);
  }
  return [...out];
}
