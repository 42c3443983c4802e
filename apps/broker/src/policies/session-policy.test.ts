import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config.js';
import { negotiateConnectLimits } from './connect-limits.js';
import { SessionPolicyBook } from './session-policy-book.js';
import type { SessionPolicyFields, StoredSessionPolicy } from './session-policy.js';

const none: SessionPolicyFields = { sessionExpiryMax: null, maxQueued: null, queueQos0: null, dropPolicy: null, maxInflight: null, maxPacketSize: null, keepAliveMax: null };
const policy = (targetType: StoredSessionPolicy['targetType'], targetName: string, fields: Partial<SessionPolicyFields>): StoredSessionPolicy => ({ ...none, ...fields, targetType, targetName });

describe('session policy precedence', () => {
  const config = resolveConfig({ maxQueuedMessages: 1000, maxInflight: 32, maxPacketSize: 1_048_576, maxKeepAlive: 0, queueDropPolicy: 'drop-oldest' });

  it('without policies, every session gets the configuration', () => {
    const book = new SessionPolicyBook(config);
    expect(book.effective({ username: 'u' })).toEqual({
      sessionExpiryMax: 4294967295,
      maxQueued: 1000,
      queueQos0: false,
      dropPolicy: 'drop-oldest',
      maxInflight: 32,
      maxPacketSize: 1_048_576,
      keepAliveMax: 0,
    });
  });

  it('user override > group override > default > configuration, field by field', () => {
    const book = new SessionPolicyBook(config);
    book.replace([
      policy('default', '*', { maxQueued: 100, keepAliveMax: 600, maxInflight: 10 }),
      policy('group', 'sensors', { maxQueued: 50, dropPolicy: 'drop-new' }),
      policy('user', 'alice', { maxQueued: 5 }),
    ]);
    expect(book.effective({ username: 'alice', groups: ['sensors'] })).toMatchObject({ maxQueued: 5, dropPolicy: 'drop-new', keepAliveMax: 600, maxInflight: 10, maxPacketSize: 1_048_576 });
    expect(book.effective({ username: 'bob', groups: ['sensors'] })).toMatchObject({ maxQueued: 50, dropPolicy: 'drop-new', keepAliveMax: 600 });
    expect(book.effective({ username: 'carol' })).toMatchObject({ maxQueued: 100, dropPolicy: 'drop-oldest', keepAliveMax: 600 });
    expect(book.effective(null)).toMatchObject({ maxQueued: 100 });
  });

  it('of several groups with overrides, the first in alphabetical order wins', () => {
    const book = new SessionPolicyBook(config);
    book.replace([policy('group', 'zeta', { maxQueued: 1 }), policy('group', 'beta', { maxQueued: 2 }), policy('group', 'alpha', { maxInflight: 3 })]);
    // alpha has an override (without maxQueued): it is the group layer; maxQueued comes from further down.
    expect(book.effective({ username: 'x', groups: ['zeta', 'beta', 'alpha'] })).toMatchObject({ maxInflight: 3, maxQueued: 1000 });
    expect(book.effective({ username: 'x', groups: ['zeta', 'beta', 'gamma'] })).toMatchObject({ maxQueued: 2 });
  });

  it('a policy cannot raise the Maximum Packet Size above the broker limit', () => {
    const book = new SessionPolicyBook(config);
    book.replace([policy('user', 'big', { maxPacketSize: 10_000_000 })]);
    expect(book.effective({ username: 'big' }).maxPacketSize).toBe(1_048_576);
  });

  it('a reload replaces every policy', () => {
    const book = new SessionPolicyBook(config);
    book.replace([policy('user', 'alice', { maxQueued: 5 })]);
    book.replace([]);
    expect(book.effective({ username: 'alice' }).maxQueued).toBe(1000);
    expect(book.size).toBe(0);
  });
});

describe('negotiateConnectLimits', () => {
  it('[MQTT-3.2.2-21] caps a 5.0 Keep Alive (and an absent one) with Server Keep Alive', () => {
    expect(negotiateConnectLimits({ version: 5, keepAlive: 300, sessionExpiryInterval: 0 }, { keepAliveMax: 60, sessionExpiryMax: 100 })).toMatchObject({ keepAlive: 60, serverKeepAlive: 60 });
    expect(negotiateConnectLimits({ version: 5, keepAlive: 0, sessionExpiryInterval: 0 }, { keepAliveMax: 60, sessionExpiryMax: 100 })).toMatchObject({ keepAlive: 60, serverKeepAlive: 60 });
    expect(negotiateConnectLimits({ version: 5, keepAlive: 30, sessionExpiryInterval: 0 }, { keepAliveMax: 60, sessionExpiryMax: 100 })).toMatchObject({ keepAlive: 30, serverKeepAlive: undefined });
  });

  it('leaves a 3.1.1 Keep Alive alone (it cannot be told) and 0 means no cap', () => {
    expect(negotiateConnectLimits({ version: 4, keepAlive: 300, sessionExpiryInterval: 0 }, { keepAliveMax: 60, sessionExpiryMax: 100 }).keepAlive).toBe(300);
    expect(negotiateConnectLimits({ version: 5, keepAlive: 300, sessionExpiryInterval: 0 }, { keepAliveMax: 0, sessionExpiryMax: 100 }).serverKeepAlive).toBeUndefined();
  });

  it('caps the Session Expiry Interval and says so only to 5.0 clients', () => {
    expect(negotiateConnectLimits({ version: 5, keepAlive: 0, sessionExpiryInterval: 3600 }, { keepAliveMax: 0, sessionExpiryMax: 100 })).toMatchObject({ sessionExpiryInterval: 100, sessionExpiryCapped: true });
    expect(negotiateConnectLimits({ version: 5, keepAlive: 0, sessionExpiryInterval: 50 }, { keepAliveMax: 0, sessionExpiryMax: 100 })).toMatchObject({ sessionExpiryInterval: 50, sessionExpiryCapped: false });
    expect(negotiateConnectLimits({ version: 4, keepAlive: 0, sessionExpiryInterval: 7200 }, { keepAliveMax: 0, sessionExpiryMax: 100 })).toMatchObject({ sessionExpiryInterval: 100, sessionExpiryCapped: false });
  });
});
