import { describe, expect, it } from 'vitest';
import type { AclPrincipal, AclRequest, AclRule } from './acl-rule.js';
import { decide } from './decide.js';

/**
 * Attempts to get more than the rules grant [issue 4: "Attempts to escape the rules are refused
 * and tested"]. Every case here must be denied.
 */

function rule(partial: Partial<AclRule> & Pick<AclRule, 'id' | 'topic'>): AclRule {
  return { who: { kind: 'everyone' }, action: 'all', permission: 'allow', priority: 100, ...partial };
}
function sub(principal: AclPrincipal, topic: string): AclRequest {
  return { principal, action: 'subscribe', topic, qos: 0 };
}
function pub(principal: AclPrincipal, topic: string): AclRequest {
  return { principal, action: 'publish', topic, qos: 0 };
}
const device = (username: string, clientId = 'c1'): AclPrincipal => ({ username, clientId, groups: [] });

describe('escape attempts: wildcards broader than the grant', () => {
  const rules = [rule({ id: 'grant', topic: 'devices/d1/+' })];
  it.each(['#', '+', '+/#', 'devices/#', 'devices/+/+', 'devices/d1/#', 'devices/d1/+/#', '+/d1/+', 'devices/+/x'])('subscribe %j', (filter) => {
    expect(decide(sub(device('d1'), filter), rules).allowed).toBe(false);
  });
});

describe('escape attempts: $SYS', () => {
  const rules = [rule({ id: 'everything', topic: '#' })];
  it.each(['$SYS/#', '$SYS/+', '$SYS', '$SYS/broker/clients/connected', '$share/g/$SYS/#', '$share/g/$SYS/broker/+'])('subscribe %j with a # grant', (filter) => {
    expect(decide(sub(device('u'), filter), rules)).toEqual({ allowed: false, ruleId: null, reason: 'sys-topic' });
  });

  it('subscribing to $SYS needs an explicit rule, not an open default', () => {
    const open = { publish: 'allow', subscribe: 'allow' } as const;
    expect(decide(sub(device('u'), '$SYS/#'), [], open)).toEqual({ allowed: false, ruleId: null, reason: 'sys-topic' });
    expect(decide(sub(device('u'), '$share/g/$SYS/#'), [], open).allowed).toBe(false);
    const explicit = [rule({ id: 'sys', topic: '$SYS/#', action: 'subscribe' })];
    expect(decide(sub(device('u'), '$SYS/#'), explicit).ruleId).toBe('sys');
    expect(decide(sub(device('u'), '$share/g/$SYS/broker/+'), explicit).ruleId).toBe('sys');
  });

  it('publishing to $SYS is refused even with an explicit allow or an open default', () => {
    const explicit = [rule({ id: 'sys', topic: '$SYS/#', priority: 0 }), rule({ id: 'eq', topic: 'eq $SYS/x', priority: 0 })];
    for (const topic of ['$SYS/x', '$SYS', '$SYS/broker/uptime']) {
      expect(decide(pub(device('u'), topic), explicit, { publish: 'allow', subscribe: 'allow' })).toEqual({ allowed: false, ruleId: null, reason: 'sys-topic' });
    }
  });

  it('other $ topics are not reachable through # or + grants', () => {
    expect(decide(sub(device('u'), '$other/#'), rules).allowed).toBe(false);
    expect(decide(pub(device('u'), '$other/x'), rules).allowed).toBe(false);
    expect(decide(pub(device('u'), '$sys/x'), rules).allowed).toBe(false); // case sensitive; still a '$' topic
  });
});

describe('escape attempts: $share tricks', () => {
  const rules = [
    rule({ id: 'deny', topic: 'secret/#', permission: 'deny', priority: 1 }),
    rule({ id: 'grant', topic: 'public/#', priority: 2 }),
  ];
  it.each([
    '$share/g/#',
    '$share/g/+/#',
    '$share/g/secret/x',
    '$share/g/secret/#',
    '$share/public/secret/x', // a share name that looks like the grant
    '$share/g/$share/h/public/x', // nested share prefix
    '$share/public/#',
    '$share/+/public/x', // wildcard share name: invalid
    '$share/#',
    '$share/g',
    '$share//public/x',
  ])('subscribe %j', (filter) => {
    expect(decide(sub(device('u'), filter), rules).allowed).toBe(false);
  });

  it('the same share name as a grant topic level does not widen it', () => {
    expect(decide(sub(device('u'), '$share/public/public/x'), rules).ruleId).toBe('grant');
  });

  it('a rule naming one share group does not open another, nor the plain filter', () => {
    const shareRules = [rule({ id: 'grp', topic: '$share/g/jobs/#' })];
    expect(decide(sub(device('u'), '$share/h/jobs/1'), shareRules).allowed).toBe(false);
    expect(decide(sub(device('u'), 'jobs/1'), shareRules).allowed).toBe(false);
    expect(decide(sub(device('u'), '$share/g/#'), shareRules).allowed).toBe(false);
  });
});

describe('escape attempts: NUL and ill-formed UTF-8', () => {
  const rules = [rule({ id: 'all', topic: '#' })];
  it.each(['a\u0000', 'a/\u0000/b', '\u0000', 'a/\ud800', '\udc00b', 'x\ud83d'])('topic %j', (topic) => {
    expect(decide(pub(device('u'), topic), rules).reason).toBe('invalid-topic');
    expect(decide(sub(device('u'), topic), rules).reason).toBe('invalid-topic');
  });

  it('a deny for a\\0b cannot be bypassed, because the topic itself is refused', () => {
    expect(decide(sub(device('u'), 'a/#\u0000'), rules).reason).toBe('invalid-topic');
  });
});

describe('escape attempts: placeholder injection', () => {
  const rules = [rule({ id: 'own', topic: 'devices/${username}/#' }), rule({ id: 'own-c', topic: 'clients/%c/+' })];

  it("username 'a/#' with grant devices/${username}/# does not allow devices/a/x/#", () => {
    const p = device('a/#');
    expect(decide(sub(p, 'devices/a/x/#'), rules).allowed).toBe(false);
    expect(decide(sub(p, 'devices/a/#'), rules).allowed).toBe(false);
    expect(decide(sub(p, 'devices/a/#/#'), rules).allowed).toBe(false);
    expect(decide(pub(p, 'devices/a/x'), rules).allowed).toBe(false);
  });

  it.each(['+', '#', 'a/b', 'x/+', '..', 'a\u0000', '\ud800'])('username %j gets nothing from its placeholder grant', (username) => {
    const p = device(username);
    for (const filter of ['devices/#', 'devices/+/#', 'devices/+', '#', 'devices/a/b/c', 'devices/x/#']) {
      expect(decide(sub(p, filter), rules).allowed, `${username} ${filter}`).toBe(false);
    }
    for (const topic of ['devices/a/b', 'devices/x/y', 'devices/a/b/c']) {
      expect(decide(pub(p, topic), rules).allowed, `${username} ${topic}`).toBe(false);
    }
  });

  it('".." is an ordinary level, not a path: it only grants devices/../#', () => {
    expect(decide(sub(device('..'), 'devices/../x'), rules).ruleId).toBe('own');
    expect(decide(sub(device('..'), 'devices/x'), rules).allowed).toBe(false);
  });

  it("client id 'x/y' or '+' gets nothing from clients/%c/+", () => {
    for (const clientId of ['x/y', '+', '#', 'x/#']) {
      const p = device('u', clientId);
      for (const filter of ['clients/x/y', 'clients/+/+', 'clients/x/+', 'clients/#', 'clients/+/y/z']) {
        expect(decide(sub(p, filter), rules).allowed, `${clientId} ${filter}`).toBe(false);
      }
    }
  });

  it("client id '$SYS' does not turn ${clientid}/# into $SYS/#", () => {
    const own = [rule({ id: 'own-root', topic: '${clientid}/#' })];
    const p = device('u', '$SYS');
    expect(decide(sub(p, '$SYS/#'), own).allowed).toBe(false);
    expect(decide(sub(p, '$SYS/broker/+'), own).allowed).toBe(false);
    const p2 = device('u', '$share');
    expect(decide(sub(p2, '$share/#'), own).allowed).toBe(false);
    // an ordinary client id works
    expect(decide(sub(device('u', 'dev7'), 'dev7/#'), own).ruleId).toBe('own-root');
  });

  it('a client id holding a placeholder is not expanded again', () => {
    const own = [rule({ id: 'own', topic: 'c/%c/#' })];
    const p: AclPrincipal = { username: 'alice', clientId: '%u', groups: [] };
    expect(decide(sub(p, 'c/alice/#'), own).allowed).toBe(false);
    expect(decide(sub(p, 'c/%u/#'), own).ruleId).toBe('own');
  });

  it('an unsafe value makes a deny rule deny rather than be skipped (fail closed)', () => {
    const denyThenAllow = [
      rule({ id: 'no-own-admin', topic: 'clients/${clientid}/admin', permission: 'deny', priority: 1 }),
      rule({ id: 'all-clients', topic: 'clients/#', priority: 2 }),
    ];
    const p = device('u', 'x/y');
    expect(decide(pub(p, 'clients/x/y/admin'), denyThenAllow)).toEqual({ allowed: false, ruleId: 'no-own-admin', reason: 'unsafe-placeholder' });
    expect(decide(sub(p, 'clients/#'), denyThenAllow).allowed).toBe(false);
    // a safe value: the deny only covers its own topic
    const q = device('u', 'x');
    expect(decide(pub(q, 'clients/x/admin'), denyThenAllow).ruleId).toBe('no-own-admin');
    expect(decide(pub(q, 'clients/x/data'), denyThenAllow).ruleId).toBe('all-clients');
  });

  it('a username equal to another user is not an escape: user rules match the username exactly', () => {
    const userRules = [rule({ id: 'alice', topic: 'x/#', who: { kind: 'user', username: 'alice' } })];
    expect(decide(sub(device('Alice'), 'x/#'), userRules).allowed).toBe(false);
    expect(decide(sub(device('alice '), 'x/#'), userRules).allowed).toBe(false);
  });
});
