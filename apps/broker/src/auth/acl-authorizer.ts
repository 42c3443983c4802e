import { createAclEvaluator, type AclDefaults, type AclEvaluator, type AclPrincipal, type AclRule } from '@repo/acl';
import type { QoS } from '../model/message.js';
import type { Principal } from './authenticator.js';
import type { Authorizer } from './authorizer.js';

export interface AclAuthorizer extends Authorizer {
  /** Replaces the rules; the next packet and delivery use them. */
  setRules(rules: readonly AclRule[]): void;
  readonly ruleCount: number;
}

function toAclPrincipal(principal: Principal): AclPrincipal {
  return {
    clientId: principal.clientId,
    username: principal.username ?? null,
    groups: principal.groups ?? [],
    superuser: principal.superuser ?? false,
    anonymous: principal.anonymous,
  };
}

/**
 * Authorization by ACL rules through @repo/acl's evaluator (first matching rule by priority,
 * per-action defaults). The delivery check asks "may this principal subscribe to exactly this
 * topic?", so that an ACL change reaches existing subscriptions, not only new ones.
 */
export function createAclAuthorizer(rules: readonly AclRule[], defaults: AclDefaults): AclAuthorizer {
  let evaluator: AclEvaluator = createAclEvaluator(rules, defaults);
  let count = rules.length;
  return {
    setRules(next) {
      evaluator = createAclEvaluator(next, defaults);
      count = next.length;
    },
    get ruleCount() {
      return count;
    },
    canPublish: (principal, topic, qos, retain) => evaluator.decide({ principal: toAclPrincipal(principal), action: 'publish', topic, qos, retain }).allowed,
    canSubscribe: (principal, topicFilter, qos) => evaluator.decide({ principal: toAclPrincipal(principal), action: 'subscribe', topic: topicFilter, qos }).allowed,
    canReceive: (principal, topic, qos: QoS) => evaluator.decide({ principal: toAclPrincipal(principal), action: 'subscribe', topic, qos }).allowed,
  };
}
