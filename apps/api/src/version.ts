import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The API's version, from its package.json. */
export const API_VERSION: string = (require('../package.json') as { version: string }).version;
