import { describe, expect, it } from 'vitest';
import { literalPrefix, payloadPreview } from './retained-messages.service.js';

describe('retained message helpers', () => {
  it('literalPrefix: the levels before the first wildcard', () => {
    expect(literalPrefix('#')).toBe('');
    expect(literalPrefix('+/x')).toBe('');
    expect(literalPrefix('a/b/+/c')).toBe('a/b/');
    expect(literalPrefix('a/#')).toBe('a/');
    expect(literalPrefix('a/b')).toBe('a/b');
  });

  it('payloadPreview: 120 characters of UTF-8, null for binary, tolerant of a cut multi-byte character', () => {
    expect(payloadPreview(Buffer.from('héllo'), true)).toBe('héllo');
    expect(payloadPreview(Buffer.from('x'.repeat(500)), false)).toHaveLength(120);
    expect(payloadPreview(Buffer.from([0xff, 0x00]), true)).toBeNull();
    const euro = Buffer.from('€€');
    // A head cut inside the second character is still text (the payload continues).
    expect(payloadPreview(euro.subarray(0, 4), false)).toBe('€');
    expect(payloadPreview(euro.subarray(0, 4), true)).toBeNull();
    expect(Array.from(payloadPreview(Buffer.from('😀'.repeat(130)), true)!)).toHaveLength(120);
  });
});
