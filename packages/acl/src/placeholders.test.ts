import { describe, expect, it } from 'vitest';
import type { AclPrincipal } from './acl-rule.js';
import { hasPlaceholder, substitute, substitutePlaceholders } from './placeholders.js';

const alice: AclPrincipal = { username: 'alice', clientId: 'dev-1', groups: [] };

describe('substitutePlaceholders', () => {
  it.each([
    ['devices/${username}/#', 'devices/alice/#'],
    ['devices/%u/#', 'devices/alice/#'],
    ['devices/${clientid}/state', 'devices/dev-1/state'],
    ['devices/%c/state', 'devices/dev-1/state'],
    ['u/${username}/c/${clientid}', 'u/alice/c/dev-1'],
    ['u/%u-%c/x', 'u/alice-dev-1/x'], // within a level
    ['${username}', 'alice'],
    ['plain/topic/#', 'plain/topic/#'],
    ['$SYS/${username}', '$SYS/alice'], // a '$' written by the rule itself is fine
    ['${UserName}/x', '${UserName}/x'], // placeholders are case sensitive
    ['%U/x', '%U/x'],
  ])('%j -> %j', (topic, expected) => {
    expect(substitutePlaceholders(topic, alice)).toBe(expected);
  });

  it('substitutes in one pass: a value is never expanded again', () => {
    expect(substitutePlaceholders('a/%c', { username: 'bob', clientId: '%u' })).toBe('a/%u');
    expect(substitutePlaceholders('a/${clientid}', { username: 'bob', clientId: '${username}' })).toBe('a/${username}');
    expect(substitutePlaceholders('a/%u', { username: '%c', clientId: 'x' })).toBe('a/%c');
  });

  it.each([
    ['a/b', 'slash'],
    ['a/#', 'multi-level wildcard with slash'],
    ['#', 'multi-level wildcard'],
    ['+', 'single-level wildcard'],
    ['x+y', 'embedded plus'],
    ['x#', 'embedded hash'],
    ['a\u0000b', 'NUL'],
    ['a\ud800b', 'lone high surrogate'],
    ['\udc00', 'lone low surrogate'],
  ])('refuses the username %j (%s)', (username) => {
    expect(substitutePlaceholders('devices/${username}/#', { username, clientId: 'c' })).toBeNull();
    expect(substitute('devices/${username}/#', { username, clientId: 'c' })).toEqual({ kind: 'unsafe' });
    // ...and the same client id
    expect(substitutePlaceholders('devices/%c/#', { username: 'u', clientId: username })).toBeNull();
  });

  it('refuses a value that would make the first level a $ level', () => {
    expect(substitute('${clientid}/#', { clientId: '$SYS' })).toEqual({ kind: 'unsafe' });
    expect(substitute('%u/#', { username: '$share', clientId: 'c' })).toEqual({ kind: 'unsafe' });
    // elsewhere a leading '$' is an ordinary character
    expect(substitutePlaceholders('d/${clientid}', { clientId: '$SYS' })).toBe('d/$SYS');
    expect(substitutePlaceholders('x${clientid}/#', { clientId: '$SYS' })).toBe('x$SYS/#');
  });

  it('accepts other characters: spaces, unicode, surrogate pairs, dollar signs inside', () => {
    expect(substitutePlaceholders('d/%u', { username: 'José 😀', clientId: 'c' })).toBe('d/José 😀');
    expect(substitutePlaceholders('d/%u', { username: 'a$b', clientId: 'c' })).toBe('d/a$b');
  });

  it('reports absent values: no username, anonymous, empty', () => {
    expect(substitute('d/%u', { clientId: 'c' })).toEqual({ kind: 'absent' });
    expect(substitute('d/%u', { username: null, clientId: 'c' })).toEqual({ kind: 'absent' });
    expect(substitute('d/%u', { username: 'alice', clientId: 'c', anonymous: true })).toEqual({ kind: 'absent' });
    expect(substitute('d/%u', { username: '', clientId: 'c' })).toEqual({ kind: 'absent' });
    expect(substitute('d/%c', { clientId: '' })).toEqual({ kind: 'absent' });
    expect(substitutePlaceholders('d/%u', { clientId: 'c' })).toBeNull();
    // anonymous principals keep their client id
    expect(substitutePlaceholders('d/%c', { clientId: 'c', anonymous: true })).toBe('d/c');
  });

  it('prefers unsafe over absent when a topic has both problems', () => {
    expect(substitute('%u/%c', { clientId: 'a/b' })).toEqual({ kind: 'unsafe' });
  });

  it('hasPlaceholder', () => {
    expect(hasPlaceholder('a/${username}')).toBe(true);
    expect(hasPlaceholder('a/%c')).toBe(true);
    expect(hasPlaceholder('a/b')).toBe(false);
    expect(hasPlaceholder('a/${other}')).toBe(false);
    // repeated calls are not affected by the global regexp's lastIndex
    expect(hasPlaceholder('%u')).toBe(true);
    expect(hasPlaceholder('%u')).toBe(true);
  });
});
