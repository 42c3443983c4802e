import { describe, expect, it } from 'vitest';
import { filtersOverlap } from './filter-overlap.js';

describe('filtersOverlap(a, b)', () => {
  it.each([
    ['a/b', 'a/b', true],
    ['a/b', 'a/c', false],
    ['a/+', '+/b', true],
    ['a/+', 'a/b/c', false],
    ['a/+', 'b/+', false],
    ['a/#', 'a', true], // 'a/#' matches its parent
    ['a/#', 'a/b/c', true],
    ['a/#', 'b/#', false],
    ['a/+/#', 'a', false],
    ['a/+/#', 'a/b', true],
    ['#', 'a', true],
    ['#', '+/+/+', true],
    ['+', 'a/b', false],
    ['+/#', '#', true],
    ['+/b/#', 'a/+/c', true],
    ['+/b/#', 'a/c/+', false],
    ['a/b/c/#', 'a/+', false],
    ['a/b/c/#', 'a/#', true],
    // '$' first level [MQTT-4.7.2-1]
    ['#', '$SYS/#', false],
    ['#', '$SYS', false],
    ['+/x', '$SYS/x', false],
    ['+/#', '$SYS/a', false],
    ['$SYS/#', '$SYS/+', true],
    ['$SYS/+', '$SYS/a/b', false],
    ['$SYS/#', '$other/#', false],
    ['a/#', 'a/$SYS', true],
    ['#', '$share/g/x', false],
    // empty levels
    ['a//b', 'a/b', false],
    ['a//b', 'a/+/b', true],
    ['a/', 'a/+', true],
    ['a/', 'a', false],
    ['/', '+/+', true],
    ['/#', '+', false], // the only common candidate, '/#''s parent, is the empty topic: not a Topic Name
    ['/#', '+/#', true],
    ['/#', '/', true],
    // invalid
    ['a/#/b', '#', false],
    ['', '#', false],
  ])('%j ∩ %j ≠ ∅ is %s', (a, b, expected) => {
    expect(filtersOverlap(a, b)).toBe(expected);
    expect(filtersOverlap(b, a)).toBe(expected);
  });
});
