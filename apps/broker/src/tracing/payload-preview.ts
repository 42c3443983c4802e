import type { PayloadEncoding } from './trace-spec.js';

/**
 * The first `limit` bytes of a payload written as the trace asks: text (UTF-8, invalid
 * sequences replaced), base64 or hex. Null when the trace captures no payload.
 */
export function payloadPreview(payload: Buffer, limit: number, encoding: PayloadEncoding): string | null {
  if (limit <= 0) return null;
  const bytes = payload.length > limit ? payload.subarray(0, limit) : payload;
  if (encoding === 'base64') return bytes.toString('base64');
  if (encoding === 'hex') return bytes.toString('hex');
  // Postgres JSON cannot hold U+0000: write it as the replacement character.
  return bytes.toString('utf8').replace(/\u0000/g, '\uFFFD');
}
