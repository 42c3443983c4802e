import { describe, expect, it } from 'vitest';
import { base64ToBytes, hexDump, prettyJson } from './payload';

describe('payload views', () => {
  it('pretty-prints JSON and refuses what is not JSON', () => {
    expect(prettyJson('{"a":[1,2]}')).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
    expect(prettyJson('not json')).toBeNull();
    expect(prettyJson(null)).toBeNull();
  });
  it('dumps bytes as offset, hex and printable ASCII, 16 a line', () => {
    const bytes = base64ToBytes(Buffer.from('{"celsius":21.5}\u0000\u00ff').toString('base64'));
    const lines = hexDump(bytes).split('\n');
    expect(lines[0]).toBe('00000000  7b 22 63 65 6c 73 69 75 73 22 3a 32 31 2e 35 7d  {"celsius":21.5}');
    expect(lines[1]).toMatch(/^00000010  00 c3 bf\s+\.\.\.$/);
  });
  it('says how many bytes it left out past the limit', () => {
    expect(hexDump(new Uint8Array(40), 32).split('\n').at(-1)).toBe('… 8 more bytes');
  });
});
