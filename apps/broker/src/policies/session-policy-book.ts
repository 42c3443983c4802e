import type { BrokerConfig } from '../config.js';
import { policyFromConfig, resolveSessionPolicy, type EffectiveSessionPolicy, type SessionPolicyFields, type StoredSessionPolicy } from './session-policy.js';

/** Who a policy is looked up for: the authenticated username and its groups. */
export interface PolicySubject {
  readonly username: string | undefined;
  readonly groups?: readonly string[];
}

/**
 * The session policies in force, held in memory (reloaded on NOTIFY): precedence is the user's
 * override, then the override of the user's first group in alphabetical order that has one, then
 * the global default, then the broker's configuration.
 */
export class SessionPolicyBook {
  private defaults: Partial<SessionPolicyFields> | undefined;
  private users = new Map<string, Partial<SessionPolicyFields>>();
  private groups = new Map<string, Partial<SessionPolicyFields>>();
  private readonly base: EffectiveSessionPolicy;
  private count = 0;

  constructor(private readonly config: BrokerConfig) {
    this.base = policyFromConfig(config);
  }

  /** Replaces every policy (a reload). */
  replace(policies: readonly StoredSessionPolicy[]): void {
    const users = new Map<string, Partial<SessionPolicyFields>>();
    const groups = new Map<string, Partial<SessionPolicyFields>>();
    let defaults: Partial<SessionPolicyFields> | undefined;
    for (const policy of policies) {
      if (policy.targetType === 'default') defaults = policy;
      else if (policy.targetType === 'user') users.set(policy.targetName, policy);
      else groups.set(policy.targetName, policy);
    }
    this.defaults = defaults;
    this.users = users;
    this.groups = groups;
    this.count = policies.length;
  }

  /** How many policies are loaded (default included). */
  get size(): number {
    return this.count;
  }

  effective(subject: PolicySubject | null): EffectiveSessionPolicy {
    const user = subject?.username !== undefined ? this.users.get(subject.username) : undefined;
    let group: Partial<SessionPolicyFields> | undefined;
    if (subject?.groups && subject.groups.length > 0 && this.groups.size > 0) {
      const first = [...subject.groups].sort().find((name) => this.groups.has(name));
      if (first !== undefined) group = this.groups.get(first);
    }
    return resolveSessionPolicy([user, group, this.defaults], this.base, this.config.maxPacketSize);
  }
}
