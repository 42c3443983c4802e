#!/usr/bin/env node
// A minimal Prisma generator (the generator protocol: JSON-RPC requests on stdin, responses on
// stderr) that writes the datamodel part of Prisma's DMMF to <output>/dmmf.json.
//
// Why: the `prisma-client` generator's runtime metadata only has field names, types and column
// names; packages/db/test/drift.test.ts also needs nullability, lists, native types, defaults,
// keys, relations and indexes to prove that prisma/schema.prisma and the hand-written SQL
// migrations describe the same database. Plain ESM JavaScript so that the Prisma CLI can start it
// with `node` (no TypeScript loader needed). Prisma starts it with the CLI's working directory,
// i.e. the repository root where prisma.config.ts lives.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';

function reply(id, result) {
  process.stderr.write(JSON.stringify({ jsonrpc: '2.0', id, result }) + '\n');
}

function replyError(id, err) {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32000, message, data: null } }) + '\n');
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
  let msg;
  try {
    msg = JSON.parse(line);
  } catch {
    return;
  }
  try {
    if (msg.method === 'getManifest') {
      reply(msg.id, { manifest: { prettyName: 'DMMF snapshot (drift test)', defaultOutput: '../packages/db/src/generated', requiresEngines: [] } });
    } else if (msg.method === 'generate') {
      const out = msg.params?.generator?.output?.value;
      if (typeof out !== 'string' || out === '') throw new Error('dmmf generator: no output directory');
      mkdirSync(out, { recursive: true });
      const snapshot = { generatedBy: 'packages/db/scripts/dmmf-generator.mjs', prismaVersion: msg.params?.version ?? null, datamodel: msg.params.dmmf.datamodel };
      writeFileSync(path.join(out, 'dmmf.json'), JSON.stringify(snapshot, null, 2) + '\n');
      reply(msg.id, null);
    } else {
      replyError(msg.id, new Error(`dmmf generator: unknown method ${msg.method}`));
    }
  } catch (err) {
    replyError(msg.id, err);
  }
});
