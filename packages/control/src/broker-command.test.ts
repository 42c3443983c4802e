import { describe, expect, it } from 'vitest';
import { decodeCommandArgs, decodeCommandNotice, decodeCommandReply, encodeCommandNotice, encodeCommandReply } from './broker-command.js';

describe('broker commands', () => {
  it('round-trips notices and rejects malformed ones', () => {
    const notice = { id: 'c1', kind: 'kick', node: 'node-1' } as const;
    expect(decodeCommandNotice(encodeCommandNotice(notice))).toEqual(notice);
    expect(decodeCommandNotice(encodeCommandNotice({ ...notice, node: null }))).toEqual({ ...notice, node: null });
    expect(decodeCommandNotice('{"id":"c1","kind":"reboot","node":null}')).toBeNull();
    expect(decodeCommandNotice('{"id":1,"kind":"kick","node":null}')).toBeNull();
    expect(decodeCommandNotice('nope')).toBeNull();
    expect(decodeCommandNotice(undefined)).toBeNull();
  });

  it('round-trips replies, success and failure', () => {
    const ok = { id: 'c1', node: 'n', ok: true, result: { deleted: 2 } } as const;
    expect(decodeCommandReply(encodeCommandReply(ok))).toEqual(ok);
    const failed = { id: 'c1', node: 'n', ok: false, error: { code: 'not_connected', detail: 'x' } } as const;
    expect(decodeCommandReply(encodeCommandReply(failed))).toEqual(failed);
    expect(decodeCommandReply('{"id":"c1","node":"n","ok":false}')).toBeNull();
    expect(decodeCommandReply('{"id":"c1","ok":true}')).toBeNull();
  });

  it('validates the arguments of each kind', () => {
    expect(decodeCommandArgs('kick', { clientId: 'a', session: 'keep', will: 'send' })).toEqual({ kind: 'kick', args: { clientId: 'a', session: 'keep', will: 'send', reloadBans: false } });
    expect(decodeCommandArgs('kick', { clientId: 'a', session: 'drop', will: 'send' })).toBeNull();
    expect(decodeCommandArgs('expire-sessions', { clientIds: ['a', 'b'] })).toEqual({ kind: 'expire-sessions', args: { clientIds: ['a', 'b'] } });
    expect(decodeCommandArgs('expire-sessions', { clientIds: ['a', 2] })).toBeNull();
    expect(decodeCommandArgs('delete-retained', { filter: 'a/#' })).toEqual({ kind: 'delete-retained', args: { filter: 'a/#' } });
    expect(decodeCommandArgs('delete-retained', {})).toBeNull();
    expect(decodeCommandArgs('publish', { topic: 't', payloadBase64: '', qos: 1, retain: false, userProperties: [['k', 'v']] })).toMatchObject({ args: { qos: 1, userProperties: [['k', 'v']] } });
    expect(decodeCommandArgs('publish', { topic: 't', payloadBase64: '', qos: 3, retain: false })).toBeNull();
    expect(decodeCommandArgs('publish', { topic: 't', payloadBase64: '', qos: 0, retain: false, userProperties: [['k']] })).toBeNull();
    expect(decodeCommandArgs('describe-client', { clientId: 'a', limit: 100 })).toEqual({ kind: 'describe-client', args: { clientId: 'a', limit: 100 } });
    expect(decodeCommandArgs('describe-client', 'x')).toBeNull();
  });
});
