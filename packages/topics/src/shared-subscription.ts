import { fitsTopicLength } from './topic-length.js';
import { isValidTopicFilter } from './topic-filter.js';

/** The prefix that makes a Topic Filter a Shared Subscription (case sensitive). */
export const SHARED_SUBSCRIPTION_PREFIX = '$share/';

/** The parts of a Shared Subscription's Topic Filter `$share/{ShareName}/{filter}`. */
export interface SharedSubscription {
  /** The ShareName, naming the group of sessions that share the subscription. */
  shareName: string;
  /** The Topic Filter the group subscribes to. */
  filter: string;
}

/**
 * Splits `$share/{ShareName}/{filter}` at the first `/` after the prefix. Returns `null` when
 * `filter` does not start with `$share/` (it is then an ordinary Topic Filter). Any filter that
 * does start with it is a Shared Subscription, well formed or not: `$share/g` gives
 * `{ shareName: 'g', filter: '' }` and `$share/` gives two empty parts, which
 * {@link isValidSharedSubscription} rejects.
 */
export function parseSharedSubscription(filter: string): SharedSubscription | null {
  if (!filter.startsWith(SHARED_SUBSCRIPTION_PREFIX)) return null;
  const start = SHARED_SUBSCRIPTION_PREFIX.length;
  const slash = filter.indexOf('/', start);
  if (slash === -1) return { shareName: filter.slice(start), filter: '' };
  return { shareName: filter.slice(start, slash), filter: filter.slice(slash + 1) };
}

/**
 * Whether `filter` is a valid Shared Subscription Topic Filter:
 * - it starts with `$share/` and has a ShareName at least one character long [MQTT-4.8.2-1];
 * - the ShareName contains no `/`, `+` or `#` and is followed by `/` and a Topic Filter
 *   [MQTT-4.8.2-2], which must itself be valid (and so non-empty);
 * - the whole contains no U+0000 [MQTT-4.7.3-2] and fits in 65535 UTF-8 bytes [MQTT-4.7.3-3].
 */
export function isValidSharedSubscription(filter: string): boolean {
  const shared = parseSharedSubscription(filter);
  if (shared === null) return false;
  const { shareName } = shared;
  if (shareName.length === 0) return false;
  // No '/' by construction: the ShareName ends at the first '/'.
  if (shareName.includes('+') || shareName.includes('#') || shareName.includes('\u0000')) return false;
  return isValidTopicFilter(shared.filter) && fitsTopicLength(filter);
}
