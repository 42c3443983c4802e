import { splitLevels, TOPIC_LEVEL_SEPARATOR } from '@repo/topics';
import type { AclPrincipal } from './acl-rule.js';

/** The placeholders a rule topic may hold, and the principal value each stands for. */
export const PLACEHOLDERS = Object.freeze({
  '${username}': 'username',
  '%u': 'username',
  '${clientid}': 'clientId',
  '%c': 'clientId',
} as const);

/** Any placeholder (global: use with `replace`). */
export const PLACEHOLDER_PATTERN = /\$\{username\}|\$\{clientid\}|%u|%c/g;

/** A character that, inside a value, would change the shape of the filter: a separator, a wildcard or NUL. */
const UNSAFE_CHARACTER = /[/+#\u0000]|\p{Surrogate}/u;

/**
 * The outcome of substituting a rule topic:
 * - `ok`: `topic` is the substituted topic;
 * - `absent`: a placeholder stands for a value the principal does not have (no username, an
 *   anonymous principal's username, an empty value): the rule is not about this principal;
 * - `unsafe`: a value could widen or reshape the rule — it holds `/`, `+`, `#`, NUL or a lone
 *   surrogate, or it would put a `$` at the start of the first level where the rule has none.
 */
export type Substitution = { kind: 'ok'; topic: string } | { kind: 'absent' } | { kind: 'unsafe' };

/** Whether `topic` holds a placeholder. */
export function hasPlaceholder(topic: string): boolean {
  PLACEHOLDER_PATTERN.lastIndex = 0;
  return PLACEHOLDER_PATTERN.test(topic);
}

function valueOf(principal: AclPrincipal, key: 'username' | 'clientId'): string | null {
  if (key === 'username') return principal.anonymous === true ? null : (principal.username ?? null);
  return principal.clientId;
}

/**
 * {@link substitutePlaceholders} with the reason when it fails. Substitution is per level and in
 * one pass: a value is never itself searched for placeholders (a client id `%u` stays `%u`).
 */
export function substitute(topic: string, principal: AclPrincipal): Substitution {
  const levels = splitLevels(topic);
  let failure: 'absent' | 'unsafe' | null = null;
  const out = levels.map((level, index) =>
    level.replace(PLACEHOLDER_PATTERN, (placeholder, offset: number) => {
      const value = valueOf(principal, PLACEHOLDERS[placeholder as keyof typeof PLACEHOLDERS]);
      if (value === null || value.length === 0) failure ??= 'absent';
      else if (UNSAFE_CHARACTER.test(value)) failure = 'unsafe';
      // A value must not turn the first level into a '$' level ($SYS, $share…): a client id
      // '$SYS' with a rule '${clientid}/#' would otherwise grant '$SYS/#'.
      else if (index === 0 && offset === 0 && value.startsWith('$')) failure = 'unsafe';
      return value ?? '';
    }),
  );
  if (failure !== null) return { kind: failure };
  return { kind: 'ok', topic: out.join(TOPIC_LEVEL_SEPARATOR) };
}

/**
 * `topic` with `${username}`/`%u` and `${clientid}`/`%c` replaced by the principal's values,
 * or `null` when a value is absent (anonymous or no username, empty) or unsafe: a value holding
 * `/`, `+`, `#`, NUL or a lone surrogate, or starting with `$` where it would begin the first
 * level. Such a value never widens a rule: the rule does not apply as an allow.
 */
export function substitutePlaceholders(topic: string, principal: AclPrincipal): string | null {
  const result = substitute(topic, principal);
  return result.kind === 'ok' ? result.topic : null;
}
