import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The broker's version, from its package.json. */
export const BROKER_VERSION: string = (require('../package.json') as { version: string }).version;
