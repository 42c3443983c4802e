import { fitsTopicLength } from './topic-length.js';

const HASH = 0x23; // '#'
const DOLLAR = 0x24; // '$'
const PLUS = 0x2b; // '+'
const SLASH = 0x2f; // '/'

/**
 * Whether `filter` is a valid Topic Filter, as carried in SUBSCRIBE and UNSUBSCRIBE:
 * - at least one character long [MQTT-4.7.3-1];
 * - no null character U+0000 [MQTT-4.7.3-2];
 * - at most 65535 bytes in UTF-8 [MQTT-4.7.3-3];
 * - `#` only on its own or after a `/`, and as the last character [MQTT-4.7.1-1];
 * - `+` only as a whole level [MQTT-4.7.1-2].
 *
 * A Shared Subscription (`$share/...`) is checked as a plain filter here, where it is valid as
 * long as the rules above hold; use `isValidSharedSubscription` for its own rules.
 */
export function isValidTopicFilter(filter: string): boolean {
  const n = filter.length;
  if (n === 0 || filter.indexOf('\u0000') !== -1) return false;
  // '#': only the last character, and alone in its level.
  const hash = filter.indexOf('#');
  if (hash !== -1 && (hash !== n - 1 || (hash > 0 && filter.charCodeAt(hash - 1) !== SLASH))) return false;
  // '+': alone in its level wherever it occurs.
  for (let plus = filter.indexOf('+'); plus !== -1; plus = filter.indexOf('+', plus + 1)) {
    if (plus > 0 && filter.charCodeAt(plus - 1) !== SLASH) return false;
    if (plus + 1 < n && filter.charCodeAt(plus + 1) !== SLASH) return false;
  }
  return fitsTopicLength(filter);
}

/** Whether `filter` contains a wildcard character (`+` or `#`), i.e. may match more than one topic. */
export function hasWildcard(filter: string): boolean {
  return filter.indexOf('+') !== -1 || filter.indexOf('#') !== -1;
}

/**
 * Whether the Topic Name `topic` matches the Topic Filter `filter`.
 *
 * - `+` matches exactly one level, which may be empty (`a/+` matches `a/` but not `a`);
 * - `#` matches its own level and every level below, including none: `a/#` matches `a`,
 *   `a/` and `a/b/c`; `#` matches everything;
 * - a topic starting with `$` is not matched by a filter whose first character is a wildcard
 *   [MQTT-4.7.2-1]: `#` and `+/x` do not match `$SYS/x`, `$SYS/#` does;
 * - levels are compared exactly, character by character, without normalisation [MQTT-4.7.3-4];
 *   empty levels are levels (`a//b` is three levels).
 *
 * Both arguments are assumed valid (see `isValidTopicFilter`, `isValidTopicName`); the result
 * for invalid ones is unspecified. Allocates nothing.
 */
export function topicMatchesFilter(filter: string, topic: string): boolean {
  const fl = filter.length;
  const tl = topic.length;
  if (topic.charCodeAt(0) === DOLLAR) {
    const first = filter.charCodeAt(0);
    if (first === PLUS || first === HASH) return false;
  }
  let fi = 0;
  let ti = 0;
  while (fi < fl) {
    const c = filter.charCodeAt(fi);
    if (c === HASH) return true; // the rest of the topic, however many levels, even none
    if (c === PLUS) {
      // One whole level of the topic, possibly empty.
      while (ti < tl && topic.charCodeAt(ti) !== SLASH) ti++;
      fi++;
      continue;
    }
    if (ti === tl) {
      // Topic exhausted with filter left: only a trailing '/#' still matches (the parent).
      return c === SLASH && fi + 2 === fl && filter.charCodeAt(fi + 1) === HASH;
    }
    if (topic.charCodeAt(ti) !== c) return false;
    fi++;
    ti++;
  }
  return ti === tl;
}
