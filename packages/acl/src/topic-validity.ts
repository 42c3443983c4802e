import { isValidSharedSubscription, isValidTopicFilter, isValidTopicName, parseSharedSubscription } from '@repo/topics';

const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * Whether `s` is well-formed UTF-16, i.e. encodes to well-formed UTF-8: no lone surrogate, whose
 * UTF-8 encoding (U+D800..U+DFFF) is ill-formed [MQTT-1.5.4-1].
 */
export function isWellFormedText(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/** Whether `topic` may be published to: a valid Topic Name in well-formed UTF-8. */
export function isAuthorizableTopicName(topic: string): boolean {
  return isValidTopicName(topic) && isWellFormedText(topic);
}

/**
 * Whether `filter` may be subscribed to: a valid Topic Filter, or a valid Shared Subscription
 * when it starts with `$share/`, in well-formed UTF-8.
 */
export function isAuthorizableTopicFilter(filter: string): boolean {
  const valid = parseSharedSubscription(filter) === null ? isValidTopicFilter(filter) : isValidSharedSubscription(filter);
  return valid && isWellFormedText(filter);
}
