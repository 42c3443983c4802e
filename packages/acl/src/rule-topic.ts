import { isValidSharedSubscription, isValidTopicFilter, parseSharedSubscription, topicMatchesFilter } from '@repo/topics';
import type { SharedSubscription } from '@repo/topics';
import type { AclPermission } from './acl-rule.js';
import { filterIsSubsetOf } from './filter-subset.js';
import { filtersOverlap } from './filter-overlap.js';

/** The prefix that makes a rule topic a literal: `eq a/#` matches the filter `a/#` only. */
export const EQ_PREFIX = 'eq ';

/** A rule topic split into its mode and its (not yet substituted) pattern. */
export interface RuleTopic {
  literal: boolean;
  pattern: string;
}

/** Reads `eq <filter>` (exactly `eq` and one space) or a plain Topic Filter. */
export function parseRuleTopic(topic: string): RuleTopic {
  return topic.startsWith(EQ_PREFIX)
    ? { literal: true, pattern: topic.slice(EQ_PREFIX.length) }
    : { literal: false, pattern: topic };
}

/** A subscription as the rules see it: the filter as sent, and its Shared Subscription parts. */
export interface SubscriptionTarget {
  /** The Topic Filter as sent, `$share/...` included. */
  requested: string;
  /** The filter being subscribed to: `requested` without a `$share/{ShareName}/` prefix. */
  filter: string;
  /** The ShareName when `requested` is a Shared Subscription. */
  shareName: string | null;
}

export function subscriptionTarget(requested: string): SubscriptionTarget {
  const shared = parseSharedSubscription(requested);
  return shared === null
    ? { requested, filter: requested, shareName: null }
    : { requested, filter: shared.filter, shareName: shared.shareName };
}

/**
 * Whether a rule whose topic (after substitution) is `pattern` matches a PUBLISH to `topicName`.
 * `eq` compares the strings; otherwise the pattern is a Topic Filter (a `$share/...` pattern is
 * about subscriptions only and never matches a PUBLISH).
 */
export function ruleMatchesPublish(literal: boolean, pattern: string, topicName: string): boolean {
  if (literal) return pattern === topicName;
  if (parseSharedSubscription(pattern) !== null) return false;
  return isValidTopicFilter(pattern) && topicMatchesFilter(pattern, topicName);
}

/**
 * Whether a rule whose topic (after substitution) is `pattern` matches a subscription:
 * - `eq`: the pattern equals the filter as sent (`$share/g/a/#`) or the filter subscribed to
 *   (`a/#`), so an `eq` deny cannot be dodged with a `$share/` prefix;
 * - allow: the subscription's filter is a subset of the pattern (it can reach no topic the rule
 *   does not cover);
 * - deny: the subscription's filter overlaps the pattern (it could reach a denied topic);
 * - a `$share/{ShareName}/{filter}` pattern applies only to Shared Subscriptions of that
 *   ShareName, comparing the filters as above.
 */
export function ruleMatchesSubscription(literal: boolean, pattern: string, permission: AclPermission, target: SubscriptionTarget): boolean {
  if (literal) return pattern === target.requested || pattern === target.filter;
  let grantFilter = pattern;
  const shared: SharedSubscription | null = parseSharedSubscription(pattern);
  if (shared !== null) {
    if (!isValidSharedSubscription(pattern) || shared.shareName !== target.shareName) return false;
    grantFilter = shared.filter;
  }
  return permission === 'allow' ? filterIsSubsetOf(target.filter, grantFilter) : filtersOverlap(target.filter, grantFilter);
}
