/**
 * RFC 4180 CSV: fields separated by commas, optionally double-quoted (a quote inside a quoted field
 * is doubled), records separated by CRLF or LF. Returns the records; blank lines are skipped.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endRecord = (): void => {
    record.push(field);
    field = '';
    if (!(record.length === 1 && record[0] === '')) records.push(record);
    record = [];
  };
  while (i < text.length) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += char;
      }
      i += 1;
      continue;
    }
    if (char === '"' && field === '') quoted = true;
    else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\n') endRecord();
    else if (char !== '\r') field += char;
    i += 1;
  }
  if (field !== '' || record.length > 0) endRecord();
  return records;
}

/** Records with a header row -> objects keyed by the (trimmed, lower-cased) header names. */
export function csvToObjects(text: string): { rows: Record<string, string>[]; headers: string[] } {
  const [header, ...body] = parseCsv(text.replace(/^\uFEFF/, ''));
  if (!header) return { rows: [], headers: [] };
  const headers = header.map((name) => name.trim().toLowerCase());
  return { headers, rows: body.map((record) => Object.fromEntries(headers.map((name, index) => [name, (record[index] ?? '').trim()]))) };
}
