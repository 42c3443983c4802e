import { isValidSharedSubscription, isValidTopicFilter, parseSharedSubscription } from '@repo/topics';
import type { AclRule } from './acl-rule.js';
import { PLACEHOLDER_PATTERN } from './placeholders.js';
import { parseRuleTopic } from './rule-topic.js';
import { isWellFormedText } from './topic-validity.js';

/** A stand-in value for placeholders when checking a rule topic's shape. */
const SAMPLE_VALUE = 'v';

/**
 * The problems with `rule`, for the API to refuse it before it is stored (an empty list when
 * none). `decide` never throws on a bad rule: a rule whose topic is not a valid filter simply
 * never matches, which for a deny rule would be a silent hole — hence this check.
 */
export function validateAclRule(rule: AclRule): string[] {
  const problems: string[] = [];
  if (rule.id.length === 0) problems.push('id must not be empty');
  if (!Number.isFinite(rule.priority)) problems.push('priority must be a finite number');
  if (rule.who.kind === 'user' && rule.who.username.length === 0) problems.push('who.username must not be empty');
  if (rule.who.kind === 'group' && rule.who.group.length === 0) problems.push('who.group must not be empty');
  if (rule.qos !== undefined) {
    if (rule.qos.length === 0) problems.push('qos must list at least one QoS when given');
    if (rule.qos.some((q) => q !== 0 && q !== 1 && q !== 2)) problems.push('qos values must be 0, 1 or 2');
  }
  const { literal, pattern } = parseRuleTopic(rule.topic);
  const shape = pattern.replace(PLACEHOLDER_PATTERN, SAMPLE_VALUE);
  const valid = parseSharedSubscription(shape) === null ? isValidTopicFilter(shape) : isValidSharedSubscription(shape);
  if (!valid || !isWellFormedText(pattern)) {
    problems.push(literal ? `topic "${rule.topic}": the filter after "eq " is not a valid topic filter` : `topic "${rule.topic}" is not a valid topic filter`);
  }
  return problems;
}
