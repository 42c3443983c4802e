import { describe, expect, it } from 'vitest';
import { csvToObjects, parseCsv } from './csv';

describe('parseCsv (RFC 4180)', () => {
  it('splits records on LF and CRLF and skips blank lines', () => {
    expect(parseCsv('a,b\r\nc,d\n\ne,f')).toEqual([['a', 'b'], ['c', 'd'], ['e', 'f']]);
  });
  it('keeps commas, newlines and doubled quotes inside quoted fields', () => {
    expect(parseCsv('"x,y","line1\nline2","say ""hi"""\n')).toEqual([['x,y', 'line1\nline2', 'say "hi"']]);
  });
  it('keeps empty fields, including a trailing one', () => {
    expect(parseCsv('a,,c,\n')).toEqual([['a', '', 'c', '']]);
  });
});

describe('csvToObjects', () => {
  it('keys rows by the trimmed, lower-cased header and drops a BOM', () => {
    const { headers, rows } = csvToObjects('\uFEFFUsername, Password\nalice , s3cret\nbob');
    expect(headers).toEqual(['username', 'password']);
    expect(rows).toEqual([{ username: 'alice', password: 's3cret' }, { username: 'bob', password: '' }]);
  });
});
