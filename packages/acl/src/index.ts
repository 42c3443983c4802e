export { DEFAULT_ACL_DEFAULTS } from './acl-rule.js';
export type {
  AclAction,
  AclDecision,
  AclDefaults,
  AclPermission,
  AclPrincipal,
  AclReason,
  AclRequest,
  AclRule,
  AclRuleAction,
  AclSubject,
  Qos,
} from './acl-rule.js';
export { createAclEvaluator, decide, ruleAppliesTo, sortRules } from './decide.js';
export type { AclEvaluator } from './decide.js';
export { filterIsSubsetOf } from './filter-subset.js';
export { filtersOverlap } from './filter-overlap.js';
export { hasPlaceholder, PLACEHOLDERS, substitute, substitutePlaceholders } from './placeholders.js';
export type { Substitution } from './placeholders.js';
export { EQ_PREFIX, parseRuleTopic } from './rule-topic.js';
export { isSysTopic, SYS_LEVEL } from './sys-topics.js';
export { isAuthorizableTopicFilter, isAuthorizableTopicName, isWellFormedText } from './topic-validity.js';
export { validateAclRule } from './validate-rule.js';
