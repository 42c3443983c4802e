import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, devices } from '@playwright/test';
import { adminStorageState, consoleUrl } from './fixtures/stack.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..');
const isCI = Boolean(process.env.CI);

// Debian's Chromium (apt-get install chromium); Playwright's own browser downloads are not reachable.
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!existsSync(chromiumPath)) {
  throw new Error(`Chromium not found at ${chromiumPath}: run "apt-get install -y chromium" or set CHROMIUM_PATH.`);
}


const chromium = {
  ...devices['Desktop Chrome'],
  viewport: { width: 1280, height: 900 },
  launchOptions: {
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  },
};

export default defineConfig({
  testDir: './journeys',
  outputDir: './test-results/output',
  fullyParallel: false,
  workers: 1,
  forbidOnly: isCI,
  retries: isCI ? 1 : 0,
  // A shared 2-core machine: generous, and every wait is for a condition, not a fixed time.
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: isCI ? [['list'], ['html', { open: 'never', outputFolder: './test-results/html' }]] : [['list']],
  use: {
    baseURL: consoleUrl,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    { name: 'setup', testMatch: /.*\.setup\.ts/, use: chromium },
    { name: 'chromium', testIgnore: /.*\.setup\.ts/, dependencies: ['setup'], use: { ...chromium, storageState: adminStorageState } },
  ],
  // The real stack: embedded Postgres, broker, API and the console built for production.
  // Playwright sends SIGTERM to the process group (the launcher and its children), then SIGKILL.
  webServer: [
    {
      name: 'stack',
      command: 'npm run build -w @repo/console && npx tsx e2e/fixtures/launch-stack.ts',
      cwd: repoRoot,
      env: { NEXT_TELEMETRY_DISABLED: '1' },
      url: `${consoleUrl}/login`,
      reuseExistingServer: false,
      timeout: 300_000,
      gracefulShutdown: { signal: 'SIGTERM', timeout: 20_000 },
      stdout: 'pipe',
      stderr: 'pipe',
    },
  ],
});
