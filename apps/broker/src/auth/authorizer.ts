import type { Principal } from './authenticator.js';

/** May this principal publish to a topic name / subscribe to a topic filter? */
export interface Authorizer {
  canPublish(principal: Principal, topic: string): boolean;
  canSubscribe(principal: Principal, topicFilter: string): boolean;
}

/** $SYS/ is the broker's own: clients may read it but never publish to it. */
export function isSysTopic(topic: string): boolean {
  return topic.startsWith('$SYS/') || topic === '$SYS';
}

/** The default policy, before ACL rules exist: everything except publishing to $SYS. */
export function createDefaultAuthorizer(): Authorizer {
  return {
    canPublish: (_principal, topic) => !isSysTopic(topic),
    canSubscribe: () => true,
  };
}
