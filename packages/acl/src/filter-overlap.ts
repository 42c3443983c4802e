import { isValidTopicFilter } from '@repo/topics';
import { filterShape, minLevels, SINGLE_LEVEL_WILDCARD, startsWithDollarLevel } from './filter-shape.js';

/**
 * Whether some topic name is matched by both Topic Filters `a` and `b`: the test a `deny` rule
 * applies to a subscription, so that a subscription which could receive a single denied topic is
 * refused.
 *
 * - `a/+` and `+/b` overlap (`a/b`); `a/#` and `a` overlap (`a/#` matches its parent);
 * - `a/+` and `a/b/c` do not; `a/b` and `a//b` do not;
 * - `#` (or `+/…`) and `$SYS/…` do not: a filter starting with a wildcard matches no topic
 *   starting with `$` [MQTT-4.7.2-1].
 *
 * Symmetric. Returns false when either filter is invalid (see `isValidTopicFilter`).
 */
export function filtersOverlap(a: string, b: string): boolean {
  if (!isValidTopicFilter(a) || !isValidTopicFilter(b)) return false;
  const x = filterShape(a);
  const y = filterShape(b);
  if ((x.wildcardFirst && startsWithDollarLevel(y)) || (y.wildcardFirst && startsWithDollarLevel(x))) return false;
  // A topic length both allow.
  if (!x.multiLevel && !y.multiLevel) {
    if (x.levels.length !== y.levels.length) return false;
  } else if (!x.multiLevel) {
    if (x.levels.length < minLevels(y)) return false;
  } else if (!y.multiLevel) {
    if (y.levels.length < minLevels(x)) return false;
  }
  // Levels both constrain: two literals must be equal. Beyond either's levels, its '#' takes anything.
  const n = Math.min(x.levels.length, y.levels.length);
  for (let i = 0; i < n; i++) {
    const xl = x.levels[i];
    const yl = y.levels[i];
    if (xl !== SINGLE_LEVEL_WILDCARD && yl !== SINGLE_LEVEL_WILDCARD && xl !== yl) return false;
  }
  return true;
}
