import { migrate } from '@repo/db';
import pg from 'pg';
import { inject } from 'vitest';

let counter = 0;

/** A fresh database in the shared embedded PostgreSQL, migrated; returns its URL. */
export async function createMigratedDatabase(label: string): Promise<string> {
  const adminUrl = inject('pgAdminUrl');
  const name = `b_${label}_${process.pid}_${Date.now().toString(36)}_${counter++}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  return url.toString();
}
