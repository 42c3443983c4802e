import { describe, expect, it } from 'vitest';
import type { AclRule } from './acl-rule.js';
import { validateAclRule } from './validate-rule.js';

const base: AclRule = { id: 'r1', who: { kind: 'everyone' }, action: 'all', topic: 'a/#', permission: 'allow', priority: 1 };

describe('validateAclRule', () => {
  it.each([
    'a/#',
    '#',
    'devices/${username}/#',
    'devices/%u/%c',
    'x/${username}-${clientid}/+',
    'eq a/#',
    'eq $share/g/a/+',
    '$share/g/a/#',
    '$SYS/#',
  ])('accepts the topic %j', (topic) => {
    expect(validateAclRule({ ...base, topic })).toEqual([]);
  });

  it.each(['', 'a/#/b', 'a+', 'a/${username}#', '$share/g', '$share/+/a', 'eq ', 'eq a/#/b', 'a\u0000', 'a/\ud800'])('refuses the topic %j', (topic) => {
    expect(validateAclRule({ ...base, topic })).toHaveLength(1);
  });

  it('checks id, priority, subject and qos', () => {
    expect(validateAclRule({ ...base, id: '' })).toEqual(['id must not be empty']);
    expect(validateAclRule({ ...base, priority: Number.NaN })).toEqual(['priority must be a finite number']);
    expect(validateAclRule({ ...base, priority: Infinity })).toEqual(['priority must be a finite number']);
    expect(validateAclRule({ ...base, who: { kind: 'user', username: '' } })).toEqual(['who.username must not be empty']);
    expect(validateAclRule({ ...base, who: { kind: 'group', group: '' } })).toEqual(['who.group must not be empty']);
    expect(validateAclRule({ ...base, qos: [] })).toEqual(['qos must list at least one QoS when given']);
    expect(validateAclRule({ ...base, qos: [3 as 0] })).toEqual(['qos values must be 0, 1 or 2']);
    expect(validateAclRule({ ...base, qos: [0, 2], retain: true })).toEqual([]);
  });
});
