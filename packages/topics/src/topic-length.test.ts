import { describe, expect, it } from 'vitest';
import { fitsTopicLength, MAX_TOPIC_BYTES, utf8ByteLength } from './topic-length.js';

describe('utf8ByteLength', () => {
  it('counts UTF-8 bytes per code point, as Buffer.byteLength does', () => {
    for (const s of ['', 'a', 'é', '€', '主', '😀', 'a/é/€/😀', '\u007f', '\u0080', '\u07ff', '\u0800', '\uffff']) {
      expect(utf8ByteLength(s), JSON.stringify(s)).toBe(Buffer.byteLength(s, 'utf8'));
    }
  });

  it('counts a surrogate pair as 4 bytes and a lone surrogate as the 3 of U+FFFD', () => {
    expect(utf8ByteLength('\ud83d\ude00')).toBe(4);
    expect(utf8ByteLength('\ud83d')).toBe(3);
    expect(utf8ByteLength('\ude00')).toBe(3);
    expect(utf8ByteLength('\ud83da')).toBe(4);
    expect(utf8ByteLength('\ude00\ud83d')).toBe(6);
    for (const s of ['\ud83d', '\ude00', '\ud83da', '\ude00\ud83d', 'x\ud83d\ud83d\ude00']) {
      expect(utf8ByteLength(s)).toBe(Buffer.byteLength(s, 'utf8'));
    }
  });
});

describe('fitsTopicLength', () => {
  it('[MQTT-4.7.3-3] accepts exactly 65535 bytes and refuses 65536', () => {
    expect(MAX_TOPIC_BYTES).toBe(65535);
    expect(fitsTopicLength('a'.repeat(65535))).toBe(true);
    expect(fitsTopicLength('a'.repeat(65536))).toBe(false);
  });

  it('[MQTT-4.7.3-3] counts UTF-8 bytes, not UTF-16 code units', () => {
    // '€' is one UTF-16 unit but three UTF-8 bytes.
    expect(fitsTopicLength('€'.repeat(21845))).toBe(true); // 65535 bytes
    expect(fitsTopicLength('€'.repeat(21845) + 'a')).toBe(false); // 65536 bytes, 21846 units
    // '😀' is two UTF-16 units and four UTF-8 bytes.
    expect(fitsTopicLength('😀'.repeat(16383) + 'abc')).toBe(true); // 65535 bytes
    expect(fitsTopicLength('😀'.repeat(16384))).toBe(false); // 65536 bytes, 32768 units
    // 'é' is two bytes: 32767 of them plus one ASCII byte is the limit.
    expect(fitsTopicLength('é'.repeat(32767) + 'a')).toBe(true);
    expect(fitsTopicLength('é'.repeat(32768))).toBe(false);
  });
});
