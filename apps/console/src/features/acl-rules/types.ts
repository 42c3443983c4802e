import { validateAclRule, type AclRule as EvaluatedRule } from '@repo/acl';

export interface AclRule {
  id: string;
  subjectKind: 'user' | 'group' | 'everyone';
  subject: string | null;
  action: 'publish' | 'subscribe' | 'all';
  topic: string;
  permission: 'allow' | 'deny';
  qos: number[];
  retain: boolean | null;
  priority: number;
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

export type AclRuleDraft = Omit<AclRule, 'id' | 'createdAt' | 'updatedAt'>;

export interface ExplainResult {
  allowed: boolean;
  ruleId: string | null;
  reason: 'invalid-topic' | 'sys-topic' | 'superuser' | 'rule' | 'unsafe-placeholder' | 'default';
}

export const REASON_TEXT: Record<ExplainResult['reason'], string> = {
  'invalid-topic': 'The topic is not a valid topic name (publish) or topic filter (subscribe).',
  'sys-topic': 'Publishing to $SYS is never allowed, and subscribing to $SYS needs a rule that allows it.',
  superuser: 'The user is a superuser: the rules do not apply.',
  rule: 'This rule matched first and decided.',
  'unsafe-placeholder': 'A deny rule uses a placeholder whose value could not be substituted safely, so it denies.',
  default: 'No rule matched: the broker’s default for this action applied.',
};

/**
 * Problems with a draft rule, found in the browser with the same checks the API runs
 * (@repo/acl validateAclRule): topic filter shape, placeholders, `eq` literal filters, QoS list.
 */
export function draftProblems(draft: AclRuleDraft): { field: 'topic' | 'subject' | 'priority' | 'qos'; message: string }[] {
  const problems: { field: 'topic' | 'subject' | 'priority' | 'qos'; message: string }[] = [];
  if (draft.subjectKind !== 'everyone' && !draft.subject?.trim()) problems.push({ field: 'subject', message: `Name the ${draft.subjectKind} this rule is for.` });
  if (!Number.isInteger(draft.priority)) problems.push({ field: 'priority', message: 'Priority must be a whole number.' });
  if (draft.topic.length === 0) {
    problems.push({ field: 'topic', message: 'Enter a topic filter.' });
    return problems;
  }
  const who: EvaluatedRule['who'] = draft.subjectKind === 'user' ? { kind: 'user', username: draft.subject || 'x' } : draft.subjectKind === 'group' ? { kind: 'group', group: draft.subject || 'x' } : { kind: 'everyone' };
  const rule: EvaluatedRule = {
    id: 'draft',
    who,
    action: draft.action,
    topic: draft.topic,
    permission: draft.permission,
    priority: Number.isFinite(draft.priority) ? draft.priority : 0,
    ...(draft.qos.length > 0 ? { qos: draft.qos as (0 | 1 | 2)[] } : {}),
    ...(draft.retain !== null ? { retain: draft.retain } : {}),
  };
  for (const message of validateAclRule(rule)) {
    problems.push({ field: message.startsWith('qos') ? 'qos' : 'topic', message: explainTopicProblem(message, draft.topic) });
  }
  return problems;
}

function explainTopicProblem(message: string, topic: string): string {
  if (!message.startsWith('topic')) return message;
  const hints: string[] = [];
  if (/#./.test(topic.replace(/^eq /, ''))) hints.push('"#" must be the last level');
  if (/[^/]\+|\+[^/]/.test(topic.replace(/\$\{[a-z]+\}/g, 'v').replace(/^eq /, ''))) hints.push('"+" must fill a whole level');
  if (/\$\{(?!username\}|clientid\})[^}]*\}/.test(topic)) hints.push('the placeholders are ${username} and ${clientid} (or %u and %c)');
  return hints.length > 0 ? `${message}: ${hints.join('; ')}.` : `${message}.`;
}

/** Placeholder-like text that is not a placeholder: allowed (matched literally) but most likely a typo. */
export function draftWarnings(topic: string): string[] {
  const unknown = [...topic.matchAll(/\$\{([^}]*)\}/g)].map((match) => match[0]).filter((text) => text !== '${username}' && text !== '${clientid}');
  return unknown.length > 0 ? [`${[...new Set(unknown)].join(', ')} is not a placeholder and is matched literally; the placeholders are \${username} and \${clientid} (or %u, %c).`] : [];
}
