export { ARGON2ID_PARAMETERS, generateSecret, hashPassword, verifyPassword } from './password-hasher.js';
export { VerificationCache } from './verification-cache.js';
