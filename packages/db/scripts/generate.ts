/**
 * `npm run generate -w @repo/db` (also the package's `build`): runs `prisma generate` offline.
 *
 * - The Prisma CLI insists on a schema engine binary even for `generate` and would download it
 *   from Prisma's host, which is unreachable here; generate never runs it, so
 *   PRISMA_SCHEMA_ENGINE_BINARY points at an existing stand-in (unless it already names an
 *   existing file, e.g. a real engine).
 * - CHECKPOINT_DISABLE=1 turns off Prisma's update check (a network call).
 * - Runs from the repository root, where prisma.config.ts is (and the dmmf generator's relative
 *   provider path resolves).
 *
 * Output: packages/db/src/generated/prisma (the client) and packages/db/src/generated/dmmf.json
 * (the datamodel for the drift test). Both are gitignored.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const prismaCli = path.join(path.dirname(require.resolve('prisma/package.json')), 'build', 'index.js');
const engineStub = fileURLToPath(new URL('./schema-engine-unavailable.sh', import.meta.url));
const configured = process.env.PRISMA_SCHEMA_ENGINE_BINARY;
const engine = configured && existsSync(configured) ? configured : engineStub;

const result = spawnSync(process.execPath, [prismaCli, 'generate', '--no-hints', '--config', path.join(repoRoot, 'prisma.config.ts')], {
  cwd: repoRoot,
  stdio: 'inherit',
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: engine,
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
  },
});
if (result.error) throw result.error;
const generated = fileURLToPath(new URL('../src/generated/prisma/client.ts', import.meta.url));
if (result.status !== 0 || !existsSync(generated)) {
  console.error(`prisma generate failed (exit ${result.status ?? result.signal}); expected ${generated}`);
  process.exit(result.status || 1);
}
