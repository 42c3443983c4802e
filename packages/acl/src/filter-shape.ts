import { splitLevels } from '@repo/topics';

/**
 * A valid Topic Filter seen as the set of topic names it matches:
 * - `levels`: the levels before a trailing `#` (all levels when there is none); each is a literal
 *   or `+` (one whole level, any value);
 * - `multiLevel`: whether the filter ends with `#`, i.e. matches topics of `levels.length` levels
 *   (the parent, `a/#` matches `a`) or more; `#` alone has no levels and matches every topic,
 *   which always has at least one level;
 * - `wildcardFirst`: whether the first level is a wildcard (`+…` or `#`), so that the filter
 *   matches no topic starting with `$` [MQTT-4.7.2-1].
 *
 * Internal to the package: `filterIsSubsetOf` and `filtersOverlap` reason on it.
 */
export interface FilterShape {
  levels: string[];
  multiLevel: boolean;
  wildcardFirst: boolean;
}

export const SINGLE_LEVEL_WILDCARD = '+';
export const MULTI_LEVEL_WILDCARD = '#';

/** The shape of `filter`, assumed valid (see `isValidTopicFilter`). */
export function filterShape(filter: string): FilterShape {
  const levels = splitLevels(filter);
  const multiLevel = levels[levels.length - 1] === MULTI_LEVEL_WILDCARD;
  if (multiLevel) levels.pop();
  const first = levels[0];
  const wildcardFirst = first === undefined || first === SINGLE_LEVEL_WILDCARD;
  return { levels, multiLevel, wildcardFirst };
}

/**
 * The fewest levels a topic matched by `shape` has. A Topic Name has at least one level and is
 * not empty, so `/#` (whose parent would be the empty topic) matches topics of two levels or more.
 */
export function minLevels(shape: FilterShape): number {
  if (shape.multiLevel && shape.levels.length === 1 && shape.levels[0] === '') return 2;
  return Math.max(shape.levels.length, 1);
}

/** Whether the literal first level of `shape` starts with `$` (so every topic it matches does). */
export function startsWithDollarLevel(shape: FilterShape): boolean {
  return !shape.wildcardFirst && (shape.levels[0] ?? '').startsWith('$');
}
