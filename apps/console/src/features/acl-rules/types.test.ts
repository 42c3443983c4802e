import { describe, expect, it } from 'vitest';
import { draftProblems, draftWarnings, type AclRuleDraft } from './types';

const base: AclRuleDraft = { subjectKind: 'everyone', subject: null, action: 'publish', topic: 'a/b', permission: 'allow', qos: [], retain: null, priority: 10, description: null };

describe('ACL rule drafts, checked in the browser with @repo/acl', () => {
  it('accepts filters with wildcards, placeholders and eq', () => {
    for (const topic of ['a/+/c', 'a/#', 'devices/${username}/#', 'x/%c/y', 'eq a/#', '$share/g/a/+']) {
      expect(draftProblems({ ...base, topic }), topic).toEqual([]);
    }
  });
  it('explains a misplaced # or a partial-level +', () => {
    expect(draftProblems({ ...base, topic: 'a/#/b' })[0]?.message).toContain('"#" must be the last level');
    expect(draftProblems({ ...base, topic: 'a/b+' })[0]?.message).toContain('"+" must fill a whole level');
  });
  it('needs a subject for user and group rules, and a whole-number priority', () => {
    expect(draftProblems({ ...base, subjectKind: 'user', subject: ' ' }).map((problem) => problem.field)).toEqual(['subject']);
    expect(draftProblems({ ...base, priority: 1.5 }).map((problem) => problem.field)).toContain('priority');
  });
  it('warns about ${...} text that is not a placeholder', () => {
    expect(draftWarnings('a/${user}/b')[0]).toContain('${user} is not a placeholder');
    expect(draftWarnings('a/${username}/${clientid}')).toEqual([]);
  });
});
