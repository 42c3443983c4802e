import { isValidTopicFilter, topicMatchesFilter } from '@repo/topics';
import { describe, expect, it } from 'vitest';
import { filtersOverlap } from './filter-overlap.js';
import { filterIsSubsetOf } from './filter-subset.js';

/** mulberry32: a small deterministic PRNG, so a failure reproduces. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Levels filters are built from; topics also use 'z', which no filter names, to stand for
// "any other value" (so a '+' or '#' is never covered by literals by accident).
const FILTER_LEVELS = ['a', 'b', '', '$s', '+'];
const TOPIC_LEVELS = ['a', 'b', '', '$s', 'z'];
const MAX_FILTER_LEVELS = 3; // plus an optional trailing '#'
const MAX_TOPIC_LEVELS = MAX_FILTER_LEVELS + 2; // long enough to tell '#' from fixed lengths

function allTopics(): string[] {
  const out: string[] = [];
  let frontier: string[][] = [[]];
  for (let n = 1; n <= MAX_TOPIC_LEVELS; n++) {
    frontier = frontier.flatMap((levels) => TOPIC_LEVELS.map((l) => [...levels, l]));
    for (const levels of frontier) {
      const topic = levels.join('/');
      if (topic.length > 0) out.push(topic); // the empty topic is not a Topic Name
    }
  }
  return out;
}

function randomFilter(random: () => number): string {
  const n = Math.floor(random() * (MAX_FILTER_LEVELS + 1));
  const levels: string[] = [];
  for (let i = 0; i < n; i++) levels.push(FILTER_LEVELS[Math.floor(random() * FILTER_LEVELS.length)]!);
  if (n === 0 || random() < 0.35) levels.push('#');
  return levels.join('/');
}

describe('filterIsSubsetOf / filtersOverlap against brute force', () => {
  const topics = allTopics();
  const random = prng(0x5eed_ac1);
  const filters = new Set<string>(['#', '+', '/#', '+/#', '/', '$s/#', '$s', 'a/#', 'a']);
  while (filters.size < 160) {
    const filter = randomFilter(random);
    if (isValidTopicFilter(filter)) filters.add(filter);
  }
  const list = [...filters];
  const matched = new Map(list.map((f) => [f, topics.filter((t) => topicMatchesFilter(f, t))]));

  it('uses a universe where every filter matches something', () => {
    expect(topics.length).toBeGreaterThan(3000);
    for (const f of list) expect(matched.get(f)!.length, f).toBeGreaterThan(0);
  });

  it('agrees on every pair of filters (subset: all matched topics of the request are matched by the grant)', () => {
    const disagreements: string[] = [];
    for (const request of list) {
      for (const grant of list) {
        const expected = matched.get(request)!.every((t) => topicMatchesFilter(grant, t));
        if (filterIsSubsetOf(request, grant) !== expected) disagreements.push(`${request} ⊆ ${grant}: expected ${expected}`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('agrees on every pair of filters (overlap: some topic is matched by both)', () => {
    const disagreements: string[] = [];
    for (const a of list) {
      for (const b of list) {
        const expected = matched.get(a)!.some((t) => topicMatchesFilter(b, t));
        if (filtersOverlap(a, b) !== expected) disagreements.push(`${a} ∩ ${b}: expected ${expected}`);
      }
    }
    expect(disagreements).toEqual([]);
  });
});
