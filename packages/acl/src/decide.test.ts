import { describe, expect, it } from 'vitest';
import type { AclPrincipal, AclRequest, AclRule } from './acl-rule.js';
import { DEFAULT_ACL_DEFAULTS } from './acl-rule.js';
import { createAclEvaluator, decide, sortRules } from './decide.js';

let nextId = 0;
function rule(partial: Partial<AclRule> & Pick<AclRule, 'topic'>): AclRule {
  return { id: `r${++nextId}`, who: { kind: 'everyone' }, action: 'all', permission: 'allow', priority: 100, ...partial };
}

const alice: AclPrincipal = { username: 'alice', clientId: 'alice-1', groups: ['ops'] };
const bob: AclPrincipal = { username: 'bob', clientId: 'bob-1', groups: [] };
const anon: AclPrincipal = { clientId: 'anon-1', anonymous: true };
const root: AclPrincipal = { username: 'root', clientId: 'root-1', superuser: true };

function pub(principal: AclPrincipal, topic: string, qos: 0 | 1 | 2 = 0, retain = false): AclRequest {
  return { principal, action: 'publish', topic, qos, retain };
}
function sub(principal: AclPrincipal, topic: string, qos: 0 | 1 | 2 = 0): AclRequest {
  return { principal, action: 'subscribe', topic, qos };
}

describe('decide: defaults', () => {
  it('denies both actions when no rule matches, by default', () => {
    expect(DEFAULT_ACL_DEFAULTS).toEqual({ publish: 'deny', subscribe: 'deny' });
    expect(decide(pub(alice, 'a'), [])).toEqual({ allowed: false, ruleId: null, reason: 'default' });
    expect(decide(sub(alice, 'a'), [])).toEqual({ allowed: false, ruleId: null, reason: 'default' });
  });

  it('applies the configured default per action', () => {
    const defaults = { publish: 'allow', subscribe: 'deny' } as const;
    expect(decide(pub(alice, 'a'), [], defaults)).toEqual({ allowed: true, ruleId: null, reason: 'default' });
    expect(decide(sub(alice, 'a'), [], defaults)).toEqual({ allowed: false, ruleId: null, reason: 'default' });
    const open = { publish: 'deny', subscribe: 'allow' } as const;
    expect(decide(pub(alice, 'a'), [], open).allowed).toBe(false);
    expect(decide(sub(alice, 'a/#'), [], open).allowed).toBe(true);
  });

  it('falls back to the default when only rules for others, other actions or other topics exist', () => {
    const rules = [
      rule({ topic: 'a', who: { kind: 'user', username: 'bob' } }),
      rule({ topic: 'a', action: 'subscribe' }),
      rule({ topic: 'b' }),
    ];
    expect(decide(pub(alice, 'a'), rules, { publish: 'allow', subscribe: 'deny' })).toEqual({ allowed: true, ruleId: null, reason: 'default' });
    expect(decide(pub(alice, 'a'), rules)).toEqual({ allowed: false, ruleId: null, reason: 'default' });
  });
});

describe('decide: precedence', () => {
  const deny = rule({ id: 'deny-secret', topic: 'a/secret', permission: 'deny', priority: 10 });
  const allow = rule({ id: 'allow-a', topic: 'a/#', permission: 'allow', priority: 20 });

  it('the lowest priority number decides', () => {
    expect(decide(pub(alice, 'a/secret'), [allow, deny])).toEqual({ allowed: false, ruleId: 'deny-secret', reason: 'rule' });
    expect(decide(pub(alice, 'a/public'), [allow, deny])).toEqual({ allowed: true, ruleId: 'allow-a', reason: 'rule' });
    const allowFirst = { ...allow, priority: 5 };
    expect(decide(pub(alice, 'a/secret'), [deny, allowFirst])).toEqual({ allowed: true, ruleId: 'allow-a', reason: 'rule' });
  });

  it('breaks priority ties by id, whatever the input order', () => {
    const x = rule({ id: 'b-allow', topic: 't', priority: 1, permission: 'allow' });
    const y = rule({ id: 'a-deny', topic: 't', priority: 1, permission: 'deny' });
    expect(decide(pub(alice, 't'), [x, y]).ruleId).toBe('a-deny');
    expect(decide(pub(alice, 't'), [y, x]).ruleId).toBe('a-deny');
    expect(sortRules([x, y]).map((r) => r.id)).toEqual(['a-deny', 'b-allow']);
  });

  it('orders negative, fractional and NaN priorities sensibly', () => {
    const rules = [
      rule({ id: 'nan', topic: 't', priority: Number.NaN }),
      rule({ id: 'half', topic: 't', priority: 0.5 }),
      rule({ id: 'neg', topic: 't', priority: -3 }),
      rule({ id: 'big', topic: 't', priority: 1e9 }),
    ];
    expect(sortRules(rules).map((r) => r.id)).toEqual(['neg', 'half', 'big', 'nan']);
  });

  it('a deny that overlaps a subscription wins when it comes first; a later deny is shadowed', () => {
    expect(decide(sub(alice, 'a/+'), [allow, deny])).toEqual({ allowed: false, ruleId: 'deny-secret', reason: 'rule' });
    expect(decide(sub(alice, 'a/#'), [allow, deny]).ruleId).toBe('deny-secret');
    expect(decide(sub(alice, 'a/public'), [allow, deny])).toEqual({ allowed: true, ruleId: 'allow-a', reason: 'rule' });
    expect(decide(sub(alice, 'a/+'), [{ ...allow, priority: 1 }, deny]).ruleId).toBe('allow-a');
  });

  it('does not mutate the rules it is given', () => {
    const rules = [allow, deny];
    decide(pub(alice, 'a/b'), rules);
    expect(rules.map((r) => r.id)).toEqual(['allow-a', 'deny-secret']);
  });
});

describe('decide: who', () => {
  const rules = [
    rule({ id: 'alice', who: { kind: 'user', username: 'alice' }, topic: 'u/alice' }),
    rule({ id: 'ops', who: { kind: 'group', group: 'ops' }, topic: 'ops/#' }),
    rule({ id: 'all', who: { kind: 'everyone' }, topic: 'public/#' }),
  ];

  it('user rules are for that username only', () => {
    expect(decide(pub(alice, 'u/alice'), rules).ruleId).toBe('alice');
    expect(decide(pub(bob, 'u/alice'), rules).allowed).toBe(false);
    expect(decide(pub({ clientId: 'x' }, 'u/alice'), rules).allowed).toBe(false);
  });

  it('group rules are for members', () => {
    expect(decide(pub(alice, 'ops/x'), rules).ruleId).toBe('ops');
    expect(decide(pub(bob, 'ops/x'), rules).allowed).toBe(false);
    expect(decide(pub({ ...bob, groups: ['ops', 'dev'] }, 'ops/x'), rules).ruleId).toBe('ops');
  });

  it('everyone rules are for authenticated and anonymous principals alike', () => {
    expect(decide(pub(alice, 'public/x'), rules).ruleId).toBe('all');
    expect(decide(pub(bob, 'public/x'), rules).ruleId).toBe('all');
    expect(decide(pub(anon, 'public/x'), rules).ruleId).toBe('all');
  });

  it('anonymous principals get only everyone rules, even when they carry a username or groups', () => {
    const sneaky: AclPrincipal = { username: 'alice', clientId: 'c', groups: ['ops'], anonymous: true };
    expect(decide(pub(sneaky, 'u/alice'), rules)).toEqual({ allowed: false, ruleId: null, reason: 'default' });
    expect(decide(pub(sneaky, 'ops/x'), rules).allowed).toBe(false);
    expect(decide(pub(sneaky, 'public/x'), rules).ruleId).toBe('all');
  });
});

describe('decide: superuser', () => {
  const rules = [rule({ topic: '#', permission: 'deny', priority: 0 })];

  it('is allowed everything, rules notwithstanding', () => {
    expect(decide(pub(root, 'a/b'), rules)).toEqual({ allowed: true, ruleId: null, reason: 'superuser' });
    expect(decide(sub(root, '#'), rules)).toEqual({ allowed: true, ruleId: null, reason: 'superuser' });
    expect(decide(sub(root, '$SYS/#'), rules)).toEqual({ allowed: true, ruleId: null, reason: 'superuser' });
  });

  it('may not publish to $SYS', () => {
    expect(decide(pub(root, '$SYS/broker/uptime'), [])).toEqual({ allowed: false, ruleId: null, reason: 'sys-topic' });
    expect(decide(pub(root, '$SYS'), [])).toEqual({ allowed: false, ruleId: null, reason: 'sys-topic' });
  });

  it('gets no superuser power when anonymous', () => {
    expect(decide(pub({ ...root, anonymous: true }, 'a'), [])).toEqual({ allowed: false, ruleId: null, reason: 'default' });
  });

  it('still has invalid topics refused', () => {
    expect(decide(pub(root, 'a/#'), [])).toEqual({ allowed: false, ruleId: null, reason: 'invalid-topic' });
  });
});

describe('decide: actions', () => {
  it('a publish rule does not allow subscribing, nor the reverse; all covers both', () => {
    const rules = [
      rule({ id: 'p', action: 'publish', topic: 'p/#' }),
      rule({ id: 's', action: 'subscribe', topic: 's/#' }),
      rule({ id: 'b', action: 'all', topic: 'b/#' }),
    ];
    expect(decide(pub(alice, 'p/1'), rules).ruleId).toBe('p');
    expect(decide(sub(alice, 'p/1'), rules).allowed).toBe(false);
    expect(decide(sub(alice, 's/1'), rules).ruleId).toBe('s');
    expect(decide(pub(alice, 's/1'), rules).allowed).toBe(false);
    expect(decide(pub(alice, 'b/1'), rules).ruleId).toBe('b');
    expect(decide(sub(alice, 'b/+'), rules).ruleId).toBe('b');
  });
});

describe('decide: subscribe semantics', () => {
  const rules = [rule({ id: 'grant', topic: 'a/+', action: 'subscribe' })];

  it('allows a filter only when it is a subset of the grant', () => {
    expect(decide(sub(alice, 'a/x'), rules).ruleId).toBe('grant');
    expect(decide(sub(alice, 'a/+'), rules).ruleId).toBe('grant');
    expect(decide(sub(alice, 'a/#'), rules)).toEqual({ allowed: false, ruleId: null, reason: 'default' });
    expect(decide(sub(alice, '#'), rules).allowed).toBe(false);
    expect(decide(sub(alice, '+/+'), rules).allowed).toBe(false);
    expect(decide(sub(alice, 'a/x/y'), rules).allowed).toBe(false);
  });

  it('grant a/# allows a/+/b, a and a/#', () => {
    const wide = [rule({ id: 'wide', topic: 'a/#' })];
    expect(decide(sub(alice, 'a/+/b'), wide).ruleId).toBe('wide');
    expect(decide(sub(alice, 'a'), wide).ruleId).toBe('wide');
    expect(decide(sub(alice, 'a/#'), wide).ruleId).toBe('wide');
    expect(decide(sub(alice, 'b/#'), wide).allowed).toBe(false);
  });

  it('a deny applies as soon as the filter overlaps it', () => {
    const rules2 = [rule({ id: 'no-x', topic: '+/x', permission: 'deny', priority: 1 }), rule({ id: 'all', topic: '#', priority: 2 })];
    expect(decide(sub(alice, 'a/+'), rules2).ruleId).toBe('no-x');
    expect(decide(sub(alice, 'a/#'), rules2).ruleId).toBe('no-x');
    expect(decide(sub(alice, 'a/y'), rules2).ruleId).toBe('all');
    expect(decide(sub(alice, 'a/x/y'), rules2).ruleId).toBe('all');
  });

  it('needs a single rule to cover the filter (a union of grants is not enough)', () => {
    const split = [rule({ topic: 'a/b' }), rule({ topic: 'a/c' })];
    expect(decide(sub(alice, 'a/+'), split).allowed).toBe(false);
  });
});

describe('decide: shared subscriptions', () => {
  it('authorizes $share/g/f as a subscription to f', () => {
    const rules = [rule({ id: 'grant', topic: 'a/#' })];
    expect(decide(sub(alice, '$share/g/a/b'), rules).ruleId).toBe('grant');
    expect(decide(sub(alice, '$share/g/#'), rules).allowed).toBe(false);
    const deny = [rule({ id: 'deny', topic: 'a/secret', permission: 'deny', priority: 1 }), ...rules];
    expect(decide(sub(alice, '$share/g/a/+'), deny).ruleId).toBe('deny');
  });

  it('a $share rule applies only to that share name', () => {
    const rules = [rule({ id: 'grp', topic: '$share/workers/jobs/#' })];
    expect(decide(sub(alice, '$share/workers/jobs/+'), rules).ruleId).toBe('grp');
    expect(decide(sub(alice, '$share/other/jobs/+'), rules).allowed).toBe(false);
    expect(decide(sub(alice, 'jobs/+'), rules).allowed).toBe(false);
    expect(decide(pub(alice, 'jobs/1'), rules).allowed).toBe(false);
  });

  it('a $share deny applies only to that share name', () => {
    const rules = [rule({ id: 'no-grp', topic: '$share/workers/#', permission: 'deny', priority: 1 }), rule({ id: 'all', topic: '#', priority: 2 })];
    expect(decide(sub(alice, '$share/workers/a'), rules).ruleId).toBe('no-grp');
    expect(decide(sub(alice, '$share/other/a'), rules).ruleId).toBe('all');
    expect(decide(sub(alice, 'a'), rules).ruleId).toBe('all');
  });
});

describe('decide: eq', () => {
  it('matches the requested filter literally for subscribe', () => {
    const rules = [rule({ id: 'eq', topic: 'eq a/#' })];
    expect(decide(sub(alice, 'a/#'), rules).ruleId).toBe('eq');
    expect(decide(sub(alice, 'a/b'), rules).allowed).toBe(false); // a subset, but not the same filter
    expect(decide(sub(alice, 'a/+'), rules).allowed).toBe(false);
    expect(decide(sub(alice, '$share/g/a/#'), rules).ruleId).toBe('eq');
  });

  it('can name a $share subscription literally', () => {
    const rules = [rule({ id: 'eq-share', topic: 'eq $share/g/a/#' })];
    expect(decide(sub(alice, '$share/g/a/#'), rules).ruleId).toBe('eq-share');
    expect(decide(sub(alice, '$share/h/a/#'), rules).allowed).toBe(false);
    expect(decide(sub(alice, 'a/#'), rules).allowed).toBe(false);
  });

  it('matches the topic literally for publish', () => {
    const rules = [rule({ id: 'eq', topic: 'eq a/b' }), rule({ id: 'eq-wild', topic: 'eq a/+' })];
    expect(decide(pub(alice, 'a/b'), rules).ruleId).toBe('eq');
    expect(decide(pub(alice, 'a/c'), rules).allowed).toBe(false);
  });

  it('an eq deny cannot be dodged with a $share prefix', () => {
    const rules = [rule({ id: 'no', topic: 'eq a/#', permission: 'deny', priority: 1 }), rule({ id: 'all', topic: '#', priority: 2 })];
    expect(decide(sub(alice, 'a/#'), rules).ruleId).toBe('no');
    expect(decide(sub(alice, '$share/g/a/#'), rules).ruleId).toBe('no');
    expect(decide(sub(alice, 'a/+'), rules).ruleId).toBe('all'); // eq is literal: not an overlap test
  });

  it('substitutes placeholders inside eq', () => {
    const rules = [rule({ id: 'own', topic: 'eq d/${clientid}/#' })];
    expect(decide(sub(alice, 'd/alice-1/#'), rules).ruleId).toBe('own');
    expect(decide(sub(alice, 'd/alice-1/x'), rules).allowed).toBe(false);
    expect(decide(sub(bob, 'd/alice-1/#'), rules).allowed).toBe(false);
  });

  it('needs exactly "eq " as a prefix', () => {
    const rules = [rule({ id: 'x', topic: 'eqa/#' })];
    expect(decide(sub(alice, 'eqa/b'), rules).ruleId).toBe('x'); // an ordinary filter
  });
});

describe('decide: placeholders', () => {
  const rules = [
    rule({ id: 'own-user', topic: 'users/${username}/#' }),
    rule({ id: 'own-client', topic: 'clients/%c/#' }),
    rule({ id: 'own-alias', topic: 'u/%u/inbox' }),
  ];

  it('grants each principal its own subtree', () => {
    expect(decide(pub(alice, 'users/alice/x'), rules).ruleId).toBe('own-user');
    expect(decide(sub(alice, 'users/alice/#'), rules).ruleId).toBe('own-user');
    expect(decide(pub(alice, 'users/bob/x'), rules).allowed).toBe(false);
    expect(decide(sub(alice, 'users/+/x'), rules).allowed).toBe(false);
    expect(decide(pub(alice, 'clients/alice-1/x'), rules).ruleId).toBe('own-client');
    expect(decide(pub(alice, 'clients/bob-1/x'), rules).allowed).toBe(false);
    expect(decide(pub(alice, 'u/alice/inbox'), rules).ruleId).toBe('own-alias');
  });

  it('a rule with ${username} does not apply to anonymous principals; ${clientid} does', () => {
    expect(decide(pub(anon, 'users/anon-1/x'), rules).allowed).toBe(false);
    expect(decide(pub(anon, 'clients/anon-1/x'), rules).ruleId).toBe('own-client');
  });

  it('an absent value skips a deny rule too (it names no topic of this principal)', () => {
    const withDeny = [rule({ id: 'no', topic: 'users/${username}/#', permission: 'deny', priority: 1 }), rule({ id: 'all', topic: 'users/#', priority: 2 })];
    expect(decide(pub(anon, 'users/x'), withDeny).ruleId).toBe('all');
  });
});

describe('decide: QoS and retain constraints', () => {
  const rules = [
    rule({ id: 'q01', topic: 'q/#', qos: [0, 1] }),
    rule({ id: 'no-retain', topic: 'r/#', retain: false, action: 'publish' }),
    rule({ id: 'retain-only', topic: 'k/#', retain: true }),
  ];

  it('matches only the listed QoS', () => {
    expect(decide(pub(alice, 'q/a', 0), rules).ruleId).toBe('q01');
    expect(decide(pub(alice, 'q/a', 1), rules).ruleId).toBe('q01');
    expect(decide(pub(alice, 'q/a', 2), rules)).toEqual({ allowed: false, ruleId: null, reason: 'default' });
    expect(decide(sub(alice, 'q/+', 1), rules).ruleId).toBe('q01');
    expect(decide(sub(alice, 'q/+', 2), rules).allowed).toBe(false);
  });

  it('matches only the given retain flag, for publish', () => {
    expect(decide(pub(alice, 'r/a', 0, false), rules).ruleId).toBe('no-retain');
    expect(decide(pub(alice, 'r/a', 0, true), rules).allowed).toBe(false);
    expect(decide({ principal: alice, action: 'publish', topic: 'r/a', qos: 0 }, rules).ruleId).toBe('no-retain'); // absent = false
    expect(decide(pub(alice, 'k/a', 0, true), rules).ruleId).toBe('retain-only');
    expect(decide(pub(alice, 'k/a', 0, false), rules).allowed).toBe(false);
  });

  it('ignores retain for subscribe', () => {
    expect(decide(sub(alice, 'k/a'), rules).ruleId).toBe('retain-only');
    expect(decide({ principal: alice, action: 'subscribe', topic: 'k/a', qos: 0, retain: false }, rules).ruleId).toBe('retain-only');
  });

  it('a constrained deny lets other requests through to later rules', () => {
    const rules2 = [rule({ id: 'no-q2', topic: '#', qos: [2], permission: 'deny', priority: 1 }), rule({ id: 'all', topic: '#', priority: 2 })];
    expect(decide(pub(alice, 'a', 2), rules2).ruleId).toBe('no-q2');
    expect(decide(pub(alice, 'a', 1), rules2).ruleId).toBe('all');
  });
});

describe('decide: topics', () => {
  it.each([
    ['publish', ''],
    ['publish', 'a/+'],
    ['publish', 'a/#'],
    ['publish', 'a\u0000b'],
    ['publish', 'a/\ud800'],
    ['publish', 'x'.repeat(65536)],
    ['subscribe', ''],
    ['subscribe', 'a/#/b'],
    ['subscribe', 'a+'],
    ['subscribe', 'a/b#'],
    ['subscribe', 'a\u0000'],
    ['subscribe', '\udfff/#'],
    ['subscribe', '$share/g'],
    ['subscribe', '$share//a'],
    ['subscribe', '$share/g+/a'],
    ['subscribe', '$share/g/'],
  ] as const)('%s %j is refused as invalid', (action, topic) => {
    const everything = [rule({ topic: '#' })];
    expect(decide({ principal: root, action, topic, qos: 0 }, everything)).toEqual({ allowed: false, ruleId: null, reason: 'invalid-topic' });
    expect(decide({ principal: alice, action, topic, qos: 0 }, everything, { publish: 'allow', subscribe: 'allow' }).reason).toBe('invalid-topic');
  });

  it('accepts empty levels and well-formed surrogate pairs', () => {
    const rules = [rule({ id: 'x', topic: 'a/+/b' }), rule({ id: 'emoji', topic: '😀/#' })];
    expect(decide(pub(alice, 'a//b'), rules).ruleId).toBe('x');
    expect(decide(sub(alice, '😀/+'), rules).ruleId).toBe('emoji');
  });

  it('a rule whose topic is not a valid filter never matches', () => {
    const rules = [rule({ id: 'bad', topic: 'a/#/b' }), rule({ id: 'bad-share', topic: '$share/g' })];
    expect(decide(pub(alice, 'a/x/b'), rules).reason).toBe('default');
    expect(decide(sub(alice, 'a/x/b'), rules).reason).toBe('default');
  });
});

describe('createAclEvaluator', () => {
  it('sorts once and decides like decide()', () => {
    const rules = [rule({ id: 'b', topic: 'a/#', priority: 2 }), rule({ id: 'a', topic: 'a/x', priority: 1, permission: 'deny' })];
    const evaluator = createAclEvaluator(rules, { publish: 'allow', subscribe: 'deny' });
    expect(evaluator.rules.map((r) => r.id)).toEqual(['a', 'b']);
    expect(evaluator.defaults).toEqual({ publish: 'allow', subscribe: 'deny' });
    for (const request of [pub(alice, 'a/x'), pub(alice, 'a/y'), pub(alice, 'z'), sub(alice, 'a/+'), sub(alice, 'z')]) {
      expect(evaluator.decide(request)).toEqual(decide(request, rules, { publish: 'allow', subscribe: 'deny' }));
    }
  });
});
