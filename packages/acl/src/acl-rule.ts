/** What a request asks to do: send a PUBLISH, or SUBSCRIBE to a Topic Filter. */
export type AclAction = 'publish' | 'subscribe';

/** The actions a rule covers: one of them, or both. */
export type AclRuleAction = AclAction | 'all';

export type AclPermission = 'allow' | 'deny';

export type Qos = 0 | 1 | 2;

/** Whom a rule is for. Anonymous principals only ever get the `everyone` rules. */
export type AclSubject =
  | { kind: 'user'; username: string }
  | { kind: 'group'; group: string }
  | { kind: 'everyone' };

/**
 * One ACL rule.
 *
 * `topic` is a Topic Filter that may hold the placeholders `${username}` and `${clientid}` (or
 * their aliases `%u` and `%c`), substituted per level with the principal's values (see
 * `substitutePlaceholders`), or `eq <filter>` to match a filter literally rather than as a
 * pattern. A topic `$share/{ShareName}/{filter}` (without `eq`) is about shared subscriptions of
 * that ShareName only.
 *
 * The rule matches a request only when its constraints hold: the request's QoS is in `qos`
 * (when given) and, for publish, its retain flag equals `retain` (when given).
 * Rules are evaluated by ascending `priority` (ties by `id`); the first that matches decides.
 */
export interface AclRule {
  id: string;
  who: AclSubject;
  action: AclRuleAction;
  topic: string;
  permission: AclPermission;
  qos?: Qos[];
  retain?: boolean;
  priority: number;
}

/** Who is asking: the identity established at CONNECT. */
export interface AclPrincipal {
  /** The authenticated username; ignored (as if absent) for an anonymous principal. */
  username?: string | null;
  clientId: string;
  /** The user's groups; ignored for an anonymous principal. */
  groups?: readonly string[];
  /** Bypasses the rules (never `$SYS` publishing); ignored for an anonymous principal. */
  superuser?: boolean;
  /** Connected without credentials: only `everyone` rules apply. */
  anonymous?: boolean;
}

/**
 * One authorization question. `topic` is a Topic Name for publish and a Topic Filter for
 * subscribe (possibly a Shared Subscription `$share/{ShareName}/{filter}`); `qos` is the
 * PUBLISH QoS or the requested maximum QoS of the subscription; `retain` is the PUBLISH retain
 * flag (ignored for subscribe; absent means false).
 */
export interface AclRequest {
  principal: AclPrincipal;
  action: AclAction;
  topic: string;
  qos: Qos;
  retain?: boolean;
}

/** What happens when no rule matches, per action. */
export interface AclDefaults {
  publish: AclPermission;
  subscribe: AclPermission;
}

/** Deny by default, for both actions (as Mosquitto, and EMQX since 6.0). */
export const DEFAULT_ACL_DEFAULTS: Readonly<AclDefaults> = Object.freeze({ publish: 'deny', subscribe: 'deny' });

/**
 * Why a decision was made:
 * - `invalid-topic`: the topic is not a valid Topic Name (publish) or Topic Filter / Shared
 *   Subscription (subscribe), including NUL and lone surrogates (ill-formed UTF-8);
 * - `sys-topic`: publishing to `$SYS` (nobody may), or subscribing to a `$SYS` filter that no
 *   rule allows (the configurable default does not open `$SYS`);
 * - `superuser`: a (non-anonymous) superuser may do anything else;
 * - `rule`: the rule `ruleId` matched;
 * - `unsafe-placeholder`: the deny rule `ruleId` uses a placeholder whose value (username or
 *   client id) could not be substituted safely; the rule then denies rather than being skipped;
 * - `default`: no rule matched; the per-action default applied.
 */
export type AclReason = 'invalid-topic' | 'sys-topic' | 'superuser' | 'rule' | 'unsafe-placeholder' | 'default';

export interface AclDecision {
  allowed: boolean;
  ruleId: string | null;
  reason: AclReason;
}
