import { createHash, randomBytes } from 'node:crypto';

/** Prefix of API tokens, so that leaked ones are recognisable by secret scanners. */
export const API_TOKEN_PREFIX = 'mqp_';

/** A new random API token (256 bits). Shown to the caller once; only its sha256 is stored. */
export function generateApiToken(): string {
  return `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
