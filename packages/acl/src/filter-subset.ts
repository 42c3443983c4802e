import { isValidTopicFilter } from '@repo/topics';
import { filterShape, minLevels, SINGLE_LEVEL_WILDCARD, startsWithDollarLevel } from './filter-shape.js';

/**
 * Whether every topic name that the Topic Filter `request` can match is also matched by the
 * Topic Filter `grant`: the test an `allow` rule passes before it authorizes a subscription, so
 * that a subscription never reaches a topic the grant does not cover.
 *
 * - `a/+/b` ⊆ `a/#`, `a/b` ⊆ `a/+`, `#` ⊆ `+/#` (every topic has a first level);
 * - `#` ⊄ `a/+`, `a/#` ⊄ `a/+` (`a/#` matches `a` and `a/b/c`), `a/#` ⊄ `a/+/#` (`a`);
 * - `$SYS/#` ⊄ `#` and `$SYS/x` ⊄ `+/x`: a filter starting with a wildcard matches no topic
 *   starting with `$` [MQTT-4.7.2-1]; `+/x` ⊆ `#` holds since `+/x` does not match them either;
 * - empty levels are levels: `a//b` ⊆ `a/+/b`, `a//b` ⊄ `a/b`.
 *
 * Returns false when either filter is invalid (see `isValidTopicFilter`).
 */
export function filterIsSubsetOf(request: string, grant: string): boolean {
  if (!isValidTopicFilter(request) || !isValidTopicFilter(grant)) return false;
  const r = filterShape(request);
  const g = filterShape(grant);
  // Topics starting with '$' that the request may match need a grant without a leading wildcard.
  if (startsWithDollarLevel(r) && g.wildcardFirst) return false;
  // Lengths: every topic length the request allows must be allowed by the grant.
  if (g.multiLevel) {
    if (minLevels(r) < minLevels(g)) return false;
  } else if (r.multiLevel || r.levels.length !== g.levels.length) {
    return false;
  }
  // Levels the grant constrains: a literal in the grant needs the same literal in the request
  // (a '+' in the request, or a level under the request's '#', takes any value).
  for (let i = 0; i < g.levels.length; i++) {
    const gl = g.levels[i];
    if (gl === SINGLE_LEVEL_WILDCARD) continue;
    const rl = r.levels[i];
    if (rl === undefined || rl === SINGLE_LEVEL_WILDCARD || rl !== gl) return false;
  }
  return true;
}
