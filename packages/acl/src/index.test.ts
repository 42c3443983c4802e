import { describe, expect, it } from 'vitest';
import * as acl from './index.js';
import type { AclDecision, AclRule } from './index.js';

describe('@repo/acl entry point', () => {
  it('exports the API the broker and the API are written against', () => {
    for (const name of ['decide', 'createAclEvaluator', 'filterIsSubsetOf', 'filtersOverlap', 'substitutePlaceholders', 'validateAclRule', 'sortRules'] as const) {
      expect(typeof acl[name], name).toBe('function');
    }
    const rules: AclRule[] = [{ id: 'r', who: { kind: 'everyone' }, action: 'publish', topic: 't/#', permission: 'allow', priority: 0 }];
    const decision: AclDecision = acl.decide({ principal: { clientId: 'c' }, action: 'publish', topic: 't/1', qos: 1 }, rules);
    expect(decision).toEqual({ allowed: true, ruleId: 'r', reason: 'rule' });
  });
});
