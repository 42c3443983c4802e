import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, devices } from '@playwright/test';
import { apiPort, apiUrl, consolePort, consoleUrl } from './fixtures/stack.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const isCI = Boolean(process.env.CI);

// Debian's Chromium (apt-get install chromium); Playwright's own browser downloads are not reachable.
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!existsSync(chromiumPath)) {
  throw new Error(`Chromium not found at ${chromiumPath}: run "apt-get install -y chromium" or set CHROMIUM_PATH.`);
}

export default defineConfig({
  testDir: './journeys',
  fullyParallel: false,
  workers: 1,
  forbidOnly: isCI,
  retries: isCI ? 1 : 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: isCI ? [['list'], ['html', { open: 'never' }]] : [['list']],
  use: {
    baseURL: consoleUrl,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath: chromiumPath,
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
  // The real apps, started from the workspace scripts. Playwright stops each process group with
  // SIGTERM (next start and tsx both run children), then SIGKILL after the timeout.
  webServer: [
    {
      name: 'api',
      command: 'npm run start -w @repo/api',
      cwd: repoRoot,
      env: { API_PORT: String(apiPort), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      url: `${apiUrl}/health`,
      reuseExistingServer: false,
      timeout: 60_000,
      gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
      stdout: 'pipe',
      stderr: 'pipe',
    },
    {
      name: 'console',
      command: 'npm run build -w @repo/console && npm run start -w @repo/console',
      cwd: repoRoot,
      env: { CONSOLE_PORT: String(consolePort), API_URL: apiUrl, NEXT_TELEMETRY_DISABLED: '1' },
      url: `${consoleUrl}/overview`,
      reuseExistingServer: false,
      timeout: 240_000,
      gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
      stdout: 'pipe',
      stderr: 'pipe',
    },
  ],
});
