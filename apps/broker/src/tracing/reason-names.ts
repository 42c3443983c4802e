import { ReasonCode } from '../protocol/reason-codes.js';

const NAMES = new Map<number, string>();
for (const [name, code] of Object.entries(ReasonCode)) {
  // GrantedQos1 -> granted_qos1; the first name of a code wins (0x00 is Success).
  if (!NAMES.has(code)) NAMES.set(code, name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase());
}

/** A reason code as trace events show it: the specification's name in snake_case ("not_authorized"). */
export function reasonName(code: number): string {
  return NAMES.get(code) ?? `0x${code.toString(16).padStart(2, '0')}`;
}
