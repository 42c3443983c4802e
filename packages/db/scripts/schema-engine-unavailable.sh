#!/bin/sh
# Stand-in for Prisma's native schema engine, which cannot be downloaded from Prisma's binary host
# here. scripts/generate.ts points PRISMA_SCHEMA_ENGINE_BINARY at this file: `prisma generate`
# only needs the path to exist and never runs it. Commands that do run it (migrate, db push,
# migrate diff) fail with this message.
echo "schema engine unavailable (stand-in: packages/db/scripts/schema-engine-unavailable.sh); apply migrations with migrate() from @repo/db and write new ones by hand in prisma/migrations/" >&2
exit 1
