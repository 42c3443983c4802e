import type { AclDecision, AclDefaults, AclPrincipal, AclRequest, AclRule } from './acl-rule.js';
import { DEFAULT_ACL_DEFAULTS } from './acl-rule.js';
import { hasPlaceholder, substitute } from './placeholders.js';
import { parseRuleTopic, ruleMatchesPublish, ruleMatchesSubscription, subscriptionTarget } from './rule-topic.js';
import type { SubscriptionTarget } from './rule-topic.js';
import { isSysTopic } from './sys-topics.js';
import { isAuthorizableTopicFilter, isAuthorizableTopicName } from './topic-validity.js';

/** Rules in evaluation order: ascending priority, then ascending id (a stable, total order). */
export function sortRules(rules: readonly AclRule[]): AclRule[] {
  return [...rules].sort((a, b) => comparePriority(a.priority, b.priority) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** NaN (an invalid priority, see `validateAclRule`) sorts last rather than breaking the sort. */
function comparePriority(a: number, b: number): number {
  const x = Number.isNaN(a) ? Infinity : a;
  const y = Number.isNaN(b) ? Infinity : b;
  return x === y ? 0 : x < y ? -1 : 1;
}

/** Whether the rule is for this principal. Anonymous principals only get `everyone` rules. */
export function ruleAppliesTo(rule: AclRule, principal: AclPrincipal): boolean {
  switch (rule.who.kind) {
    case 'everyone':
      return true;
    case 'user':
      return principal.anonymous !== true && principal.username != null && principal.username === rule.who.username;
    case 'group':
      return principal.anonymous !== true && (principal.groups ?? []).includes(rule.who.group);
  }
}

/** Whether the rule's action, QoS and retain constraints hold for the request (not the topic). */
function constraintsHold(rule: AclRule, request: AclRequest): boolean {
  if (rule.action !== 'all' && rule.action !== request.action) return false;
  if (rule.qos !== undefined && !rule.qos.includes(request.qos)) return false;
  if (request.action === 'publish' && rule.retain !== undefined && rule.retain !== (request.retain ?? false)) return false;
  return true;
}

interface CompiledRule {
  rule: AclRule;
  literal: boolean;
  pattern: string;
  placeholders: boolean;
}

/** An evaluator over a fixed rule set: sorts and parses the rules once. */
export interface AclEvaluator {
  /** The rules in evaluation order. */
  readonly rules: readonly AclRule[];
  readonly defaults: Readonly<AclDefaults>;
  decide(request: AclRequest): AclDecision;
}

/**
 * An evaluator for `rules` with the per-action `defaults` (deny/deny unless given). Its
 * `decide(request)` answers, in this order:
 * 1. an invalid topic (Topic Name for publish, Topic Filter or Shared Subscription for
 *    subscribe; NUL, lone surrogates, misplaced wildcards, too long) → denied, `invalid-topic`;
 * 2. publishing to `$SYS` → denied, `sys-topic`, whoever asks (superusers included);
 * 3. a superuser (not anonymous) → allowed, `superuser`;
 * 4. the first rule, by ascending priority then id, that is for the principal (user, group,
 *    everyone; anonymous: everyone only), covers the action, whose QoS/retain constraints hold
 *    and whose topic matches → its permission, `rule`. For subscribe an allow rule matches when
 *    the requested filter is a subset of its topic, a deny rule when they overlap; a Shared
 *    Subscription `$share/g/f` is authorized as subscribing to `f`. A rule whose placeholder value
 *    is absent does not match; one whose value is unsafe (see `substitutePlaceholders`) does not
 *    match if it allows, and denies (`unsafe-placeholder`) if it denies;
 * 5. no rule: a subscription to a `$SYS` filter → denied, `sys-topic`; otherwise the default for
 *    the action, `default`.
 */
export function createAclEvaluator(rules: readonly AclRule[], defaults: Readonly<AclDefaults> = DEFAULT_ACL_DEFAULTS): AclEvaluator {
  const sorted = sortRules(rules);
  const compiled: CompiledRule[] = sorted.map((rule) => {
    const { literal, pattern } = parseRuleTopic(rule.topic);
    return { rule, literal, pattern, placeholders: hasPlaceholder(pattern) };
  });
  const frozenDefaults = Object.freeze({ ...defaults });

  function decideRequest(request: AclRequest): AclDecision {
    const { principal, action, topic } = request;
    const valid = action === 'publish' ? isAuthorizableTopicName(topic) : isAuthorizableTopicFilter(topic);
    if (!valid) return { allowed: false, ruleId: null, reason: 'invalid-topic' };
    if (action === 'publish' && isSysTopic(topic)) return { allowed: false, ruleId: null, reason: 'sys-topic' };
    if (principal.superuser === true && principal.anonymous !== true) return { allowed: true, ruleId: null, reason: 'superuser' };

    const target: SubscriptionTarget | null = action === 'subscribe' ? subscriptionTarget(topic) : null;
    for (const { rule, literal, pattern, placeholders } of compiled) {
      if (!ruleAppliesTo(rule, principal) || !constraintsHold(rule, request)) continue;
      let effective = pattern;
      if (placeholders) {
        const substituted = substitute(pattern, principal);
        if (substituted.kind === 'absent') continue;
        if (substituted.kind === 'unsafe') {
          // Skipping a deny could let a later, broader allow through: fail closed.
          if (rule.permission === 'deny') return { allowed: false, ruleId: rule.id, reason: 'unsafe-placeholder' };
          continue;
        }
        effective = substituted.topic;
      }
      const matches =
        target === null
          ? ruleMatchesPublish(literal, effective, topic)
          : ruleMatchesSubscription(literal, effective, rule.permission, target);
      if (matches) return { allowed: rule.permission === 'allow', ruleId: rule.id, reason: 'rule' };
    }

    if (target !== null && isSysTopic(target.filter)) return { allowed: false, ruleId: null, reason: 'sys-topic' };
    return { allowed: frozenDefaults[action] === 'allow', ruleId: null, reason: 'default' };
  }

  return { rules: sorted, defaults: frozenDefaults, decide: decideRequest };
}

/**
 * May `request.principal` do `request.action` on `request.topic` under `rules`, and which rule
 * decided? A pure function; see {@link createAclEvaluator} for the order of evaluation, and use
 * an evaluator to decide many requests against the same rules.
 */
export function decide(request: AclRequest, rules: readonly AclRule[], defaults: Readonly<AclDefaults> = DEFAULT_ACL_DEFAULTS): AclDecision {
  return createAclEvaluator(rules, defaults).decide(request);
}
