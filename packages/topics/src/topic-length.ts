/** The most bytes a Topic Name or Topic Filter may encode to in UTF-8 [MQTT-4.7.3-3]. */
export const MAX_TOPIC_BYTES = 65535;

/**
 * Below this many UTF-16 code units a string cannot exceed {@link MAX_TOPIC_BYTES}: no code unit
 * encodes to more than 3 UTF-8 bytes (a surrogate pair is 2 units for 4 bytes).
 */
const ALWAYS_SHORT_ENOUGH = Math.floor(MAX_TOPIC_BYTES / 3);

/**
 * Whether `s` encodes to at most {@link MAX_TOPIC_BYTES} UTF-8 bytes [MQTT-4.7.3-3].
 *
 * Counts UTF-8 bytes, not UTF-16 code units, and only when the length alone cannot decide: a
 * string of up to 21845 code units always fits, one of more than 65535 never does.
 */
export function fitsTopicLength(s: string): boolean {
  const n = s.length;
  if (n <= ALWAYS_SHORT_ENOUGH) return true;
  if (n > MAX_TOPIC_BYTES) return false;
  return utf8ByteLength(s) <= MAX_TOPIC_BYTES;
}

/**
 * The number of bytes `s` encodes to in UTF-8. A lone surrogate counts as 3 bytes, the size of
 * the U+FFFD that an encoder substitutes for it (as `Buffer.byteLength` and `TextEncoder` do).
 */
export function utf8ByteLength(s: string): number {
  const n = s.length;
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    } else bytes += 3;
  }
  return bytes;
}
