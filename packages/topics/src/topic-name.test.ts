import { describe, expect, it } from 'vitest';
import { isValidTopicName } from './topic-name.js';

describe('isValidTopicName', () => {
  it('accepts ordinary topic names, spaces, separators alone and empty levels', () => {
    for (const topic of ['a', 'sport/tennis/player1', '/', '//', '/a', 'a/', 'a//b', ' ', 'a b/c', '$SYS/broker/uptime', 'é/€/😀', 'ACCOUNTS', '$share/g/x']) {
      expect(isValidTopicName(topic), topic).toBe(true);
    }
  });

  it('[MQTT-4.7.3-1] refuses the empty string', () => {
    expect(isValidTopicName('')).toBe(false);
  });

  it('[MQTT-4.7.0-1] refuses the wildcard characters anywhere', () => {
    for (const topic of ['#', '+', 'a/#', 'a/+', '+/a', 'a/+/b', 'a#', 'a+', 'a/b#c', 'sport/tennis/#', '++', '#/']) {
      expect(isValidTopicName(topic), topic).toBe(false);
    }
  });

  it('[MQTT-4.7.3-2] refuses the null character U+0000', () => {
    expect(isValidTopicName('\u0000')).toBe(false);
    expect(isValidTopicName('a\u0000b')).toBe(false);
    expect(isValidTopicName('a/\u0000')).toBe(false);
  });

  it('[MQTT-4.7.3-3] accepts up to 65535 UTF-8 bytes and refuses more', () => {
    expect(isValidTopicName('a'.repeat(65535))).toBe(true);
    expect(isValidTopicName('a'.repeat(65536))).toBe(false);
    expect(isValidTopicName('/'.repeat(65535))).toBe(true);
  });

  it('[MQTT-4.7.3-3] counts UTF-8 bytes, not UTF-16 code units', () => {
    expect(isValidTopicName('€'.repeat(21845))).toBe(true); // 65535 bytes in 21845 units
    expect(isValidTopicName('€'.repeat(21845) + 'a')).toBe(false); // 65536 bytes in 21846 units
    expect(isValidTopicName('😀'.repeat(16384))).toBe(false); // 65536 bytes in 32768 units
    expect(isValidTopicName('😀'.repeat(16383) + 'abc')).toBe(true);
  });

  it('[MQTT-4.7.3-4] does not normalise: other characters are taken as they are', () => {
    expect(isValidTopicName('\u00e9')).toBe(true);
    expect(isValidTopicName('e\u0301')).toBe(true);
    expect(isValidTopicName('\ufeff')).toBe(true);
  });
});
