import { describe, expect, it } from 'vitest';
import { splitLevels, splitLevelsInto } from './topic-levels.js';

const CASES: Array<[string, string[]]> = [
  ['a', ['a']],
  ['a/b/c', ['a', 'b', 'c']],
  ['/', ['', '']],
  ['//', ['', '', '']],
  ['/a', ['', 'a']],
  ['a/', ['a', '']],
  ['a//b', ['a', '', 'b']],
  ['sport/+/#', ['sport', '+', '#']],
  ['$SYS/é/😀', ['$SYS', 'é', '😀']],
];

describe('splitLevels', () => {
  it('splits on every separator, keeping empty levels', () => {
    for (const [topic, levels] of CASES) expect(splitLevels(topic), topic).toEqual(levels);
  });
});

describe('splitLevelsInto', () => {
  it('writes the same levels as splitLevels into a reused array and returns their count', () => {
    const out: string[] = ['stale', 'stale', 'stale', 'stale', 'stale'];
    for (const [topic, levels] of CASES) {
      const n = splitLevelsInto(topic, out);
      expect(n, topic).toBe(levels.length);
      expect(out.slice(0, n), topic).toEqual(levels);
    }
  });
});
