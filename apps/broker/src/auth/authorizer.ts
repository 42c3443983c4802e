import type { QoS } from '../model/message.js';
import type { Principal } from './authenticator.js';

/**
 * May this principal publish to a topic name / subscribe to a topic filter / receive a message?
 * Synchronous: decisions come from rules held in memory (reloaded on change), never a query.
 */
export interface Authorizer {
  canPublish(principal: Principal, topic: string, qos: QoS, retain: boolean): boolean;
  canSubscribe(principal: Principal, topicFilter: string, qos: QoS): boolean;
  /** Delivery check: may the session's principal still receive a message on this topic? */
  canReceive(principal: Principal, topic: string, qos: QoS): boolean;
}

/** $SYS/ is the broker's own: clients may read it but never publish to it. */
export function isSysTopic(topic: string): boolean {
  return topic.startsWith('$SYS/') || topic === '$SYS';
}

/** The policy without ACL rules (no database): everything except publishing to $SYS. */
export function createDefaultAuthorizer(): Authorizer {
  return {
    canPublish: (_principal, topic) => !isSysTopic(topic),
    canSubscribe: () => true,
    canReceive: () => true,
  };
}
