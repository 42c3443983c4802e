import { describe, expect, it } from 'vitest';
import { ControlChannel, EventChannel, decodeCredentialsChanged, encodeCredentialsChanged } from './index.js';

describe('control channels', () => {
  it('round-trips a credentials-changed payload and rejects anything else', () => {
    expect(decodeCredentialsChanged(encodeCredentialsChanged({ username: 'a/b' }))).toEqual({ username: 'a/b' });
    expect(decodeCredentialsChanged('{"user":"x"}')).toBeNull();
    expect(decodeCredentialsChanged('not json')).toBeNull();
    expect(decodeCredentialsChanged(undefined)).toBeNull();
  });

  it('channel names are distinct Postgres identifiers', () => {
    const names = [...Object.values(ControlChannel), ...Object.values(EventChannel)];
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z_]{1,63}$/);
  });
});
