import { describe, expect, it } from 'vitest';
import * as topics from './index.js';
import type { SharedSubscription } from './index.js';

describe('@repo/topics entry point', () => {
  it('exports the API the broker is written against', () => {
    expect(typeof topics.isValidTopicName).toBe('function');
    expect(typeof topics.isValidTopicFilter).toBe('function');
    expect(typeof topics.hasWildcard).toBe('function');
    expect(typeof topics.topicMatchesFilter).toBe('function');
    expect(typeof topics.parseSharedSubscription).toBe('function');
    expect(typeof topics.isValidSharedSubscription).toBe('function');
    expect(typeof topics.splitLevels).toBe('function');
    expect(typeof topics.TopicTrie).toBe('function');
    const parsed: SharedSubscription | null = topics.parseSharedSubscription('$share/g/a/#');
    expect(parsed).toEqual({ shareName: 'g', filter: 'a/#' });
    const trie = new topics.TopicTrie<string>();
    trie.add('a/#', 'x');
    expect(trie.size).toBe(1);
    expect(trie.match('a/b')).toEqual(['x']);
  });
});
