/**
 * `npm test -w @repo/e2e`: runs the Playwright journeys when a Chromium is installed, and says
 * so plainly when it is not (a skip locally; a failure under CI, where .ci/run installs it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!existsSync(chromiumPath)) {
  const lines = [
    '',
    '################################################################################',
    `#  E2E JOURNEYS NOT RUN: no Chromium at ${chromiumPath}`,
    '#  Install it with "apt-get install -y chromium" or set CHROMIUM_PATH.',
    '#  (Playwright cannot download its own browsers here.)',
    '################################################################################',
    '',
  ];
  console.error(lines.join('\n'));
  process.exit(process.env.CI ? 1 : 0);
}
const result = spawnSync('npx', ['playwright', 'test', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
