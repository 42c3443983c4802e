import { describe, expect, inject, it } from 'vitest';
import { Prisma } from '../src/generated/prisma/client.js';
import { migrate } from '../src/migrate.js';
import { createScratchDatabase, withClient } from './helpers.js';
import { findSchemaDrift, loadDatamodel } from './schema-drift.js';

const adminUrl = inject('adminUrl');

describe('schema.prisma and the SQL migrations describe the same database', () => {
  it('the DMMF snapshot belongs to the generated client', async () => {
    const dm = await loadDatamodel();
    expect(Object.values(Prisma.ModelName).sort()).toEqual(dm.models.map((m) => m.name).sort());
    for (const model of dm.models) {
      const fieldEnum = (Prisma as unknown as Record<string, Record<string, string> | undefined>)[`${model.name}ScalarFieldEnum`];
      expect(fieldEnum, `Prisma.${model.name}ScalarFieldEnum`).toBeDefined();
      const scalars = model.fields.filter((f) => f.kind === 'scalar' || f.kind === 'enum').map((f) => f.name);
      expect(Object.keys(fieldEnum!).sort(), model.name).toEqual(scalars.sort());
    }
  });

  it('a freshly migrated database matches every model, field, key, relation and index', async () => {
    const url = await createScratchDatabase(adminUrl, 'drift');
    await migrate(url);
    const dm = await loadDatamodel();
    const problems = await withClient(url, (client) => findSchemaDrift(client, dm));
    expect(problems).toEqual([]);
  });

  it('the comparison notices drift', async () => {
    const url = await createScratchDatabase(adminUrl, 'drift_teeth');
    await migrate(url);
    const dm = await loadDatamodel();
    const problems = await withClient(url, async (client) => {
      await client.query(`
        ALTER TABLE "sessions" ALTER COLUMN "protocol_version" DROP NOT NULL;
        ALTER TABLE "sessions" ADD COLUMN "extra" TEXT;
        ALTER TABLE "messages" ALTER COLUMN "qos" TYPE SMALLINT;
        ALTER TABLE "retained_messages" DROP COLUMN "publisher_username";
        ALTER TABLE "subscriptions" ALTER COLUMN "no_local" DROP DEFAULT;
        ALTER TABLE "session_messages" DROP CONSTRAINT "session_messages_message_id_fkey";
        ALTER TABLE "session_messages" ADD CONSTRAINT "session_messages_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;
        DROP INDEX "delayed_wills_publish_at_idx";
        CREATE TABLE "stray" ("id" INTEGER PRIMARY KEY);
      `);
      return findSchemaDrift(client, dm);
    });
    const expected = [
      /Session\.protocolVersion .*NULL, the schema says required/,
      /sessions\.extra exists in the database but not in model Session/,
      /Message\.qos .*column type is int2, the schema implies int4/,
      /RetainedMessage\.publisherUsername .*column is missing/,
      /Subscription\.noLocal .*database default is none/,
      /SessionMessage\.message .*ON DELETE is Cascade, the schema says Restrict/,
      /DelayedWill index \(publish_at\): missing/,
      /table stray exists in the database but no model maps to it/,
    ];
    for (const re of expected) expect(problems.some((p) => re.test(p)), `${re} in\n${problems.join('\n')}`).toBe(true);
    expect(problems).toHaveLength(expected.length);
  });
});
