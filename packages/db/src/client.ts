import { PrismaPg } from '@prisma/adapter-pg';
import { splitSchemaParam } from './connection-url.js';
import { PrismaClient } from './generated/prisma/client.js';

export interface CreateDbOptions {
  /** Maximum connections in the pg pool behind the client (node-postgres default: 10). */
  poolSize?: number;
}

/**
 * A Prisma client over node-postgres (`@prisma/adapter-pg`; no native query engine). Honours
 * Prisma's `?schema=name` URL parameter. Call `$disconnect()` when done.
 */
export function createDb(databaseUrl: string, opts: CreateDbOptions = {}): PrismaClient {
  const { url, schema } = splitSchemaParam(databaseUrl);
  const adapter = new PrismaPg(
    { connectionString: url, ...(opts.poolSize !== undefined ? { max: opts.poolSize } : {}) },
    schema !== undefined ? { schema } : undefined,
  );
  return new PrismaClient({ adapter });
}
