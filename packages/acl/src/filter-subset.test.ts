import { describe, expect, it } from 'vitest';
import { filterIsSubsetOf } from './filter-subset.js';

describe('filterIsSubsetOf(request, grant)', () => {
  it.each([
    // identical and literal
    ['a/b', 'a/b', true],
    ['a/b', 'a/c', false],
    ['a', 'a/b', false],
    ['a/b', 'a', false],
    // '+'
    ['a/b', 'a/+', true],
    ['a/+', 'a/+', true],
    ['a/+', 'a/b', false],
    ['+/b', 'a/+', false],
    ['a/+/c', 'a/+/+', true],
    ['a/+', 'a/+/+', false],
    // '#' in the grant
    ['a/+/b', 'a/#', true],
    ['a/b/c/d', 'a/#', true],
    ['a', 'a/#', true], // 'a/#' matches its parent
    ['a/#', 'a/#', true],
    ['a/b/#', 'a/#', true],
    ['a/+/#', 'a/#', true],
    ['b/#', 'a/#', false],
    ['#', 'a/#', false],
    ['#', '#', true],
    ['+', '#', true],
    ['a/b', '#', true],
    ['+/+/#', '#', true],
    // '#' in the request is broader than any '+' grant
    ['#', 'a/+', false],
    ['a/#', 'a/+', false],
    ['a/#', 'a/+/#', false], // 'a' itself
    ['a/+/#', 'a/+/#', true],
    ['a/b/#', 'a/+/#', true],
    ['#', '+/#', true], // every topic has a first level
    ['+/#', '#', true],
    ['#', '+', false],
    ['#', '+/+/#', false],
    // '$' first level [MQTT-4.7.2-1]
    ['$SYS/#', '#', false],
    ['$SYS/x', '+/x', false],
    ['$SYS/x', '+/+', false],
    ['$SYS/x', '$SYS/+', true],
    ['$SYS/a/b', '$SYS/#', true],
    ['$SYS', '$SYS/#', true],
    ['$SYS/#', '$SYS/#', true],
    ['$SYS/#', '$SYS/+', false],
    ['+/x', '#', true], // '+/x' does not match '$' topics either
    ['#', '$SYS/#', false],
    ['+/x', '$SYS/+', false],
    ['a/$SYS', 'a/+', true], // '$' only matters in the first level
    ['$share/g/a', '#', false],
    // empty levels are levels
    ['a//b', 'a/+/b', true],
    ['a//b', 'a/b', false],
    ['a/b', 'a//b', false],
    ['/a', '+/a', true],
    ['/a', '#', true],
    ['/', '+/+', true],
    ['/', '+', false],
    ['a/', 'a/+', true],
    ['a/', 'a/#', true],
    ['a/+', 'a/', false],
    ['/#', '/+/#', true], // '/#' cannot match its parent, the empty topic
    ['/#', '/+', false],
    ['/', '/#', true],
    // invalid filters never qualify
    ['a/#/b', '#', false],
    ['a', 'a+', false],
    ['', '#', false],
    ['a\u0000', '#', false],
  ])('%j ⊆ %j is %s', (request, grant, expected) => {
    expect(filterIsSubsetOf(request, grant)).toBe(expected);
  });
});
