// Prisma CLI configuration (Prisma 7 reads the datasource URL from here, not from schema.prisma).
//
// DATABASE_URL is read directly from process.env instead of through `env()` from prisma/config,
// because `env()` throws when the variable is unset and `prisma generate` (run offline by
// packages/db/scripts/generate.ts) must work without any database. Commands that need a database
// (migrate, db, studio) fail with Prisma's own "no datasource url" error when it is missing.
//
// Migrations are applied by @repo/db's migrate() (the schema engine binary cannot be downloaded in
// every environment); they live in Prisma's layout so that `prisma migrate deploy|status` agrees
// wherever the engine is available.
import { defineConfig } from 'prisma/config';

const url = process.env.DATABASE_URL;

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  ...(url ? { datasource: { url } } : {}),
});
