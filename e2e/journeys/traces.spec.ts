import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import mqtt from 'mqtt';

const here = path.dirname(fileURLToPath(import.meta.url));

interface Stack {
  mqttUrl: string;
  apiUrl: string;
  consoleUrl: string;
}

/** The stack with a database (fixtures/trace-stack.ts), started once for this file. */
async function startStack(): Promise<{ stack: Stack; process: ChildProcess }> {
  const child = spawn('npx', ['tsx', path.join(here, '../fixtures/trace-stack.ts')], { cwd: path.join(here, '..'), stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  const stack = await new Promise<Stack>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('READY '));
      if (line) resolve(JSON.parse(line.slice(6)) as Stack);
    });
    child.once('exit', (code) => reject(new Error(`trace stack exited with ${code}`)));
  });
  return { stack, process: child };
}

test.describe('tracing journey', () => {
  test.describe.configure({ timeout: 240_000 });
  let stack: Stack;
  let stackProcess: ChildProcess | undefined;

  test.beforeAll(async () => {
    test.setTimeout(240_000);
    const started = await startStack();
    stack = started.stack;
    stackProcess = started.process;
  });

  test.afterAll(async () => {
    if (stackProcess?.pid === undefined || stackProcess.exitCode !== null) return;
    const exited = new Promise((resolve) => stackProcess!.once('exit', resolve));
    process.kill(-stackProcess.pid, 'SIGTERM');
    await exited;
  });

  test('start a trace, watch a published message arrive live, open its journey, stop the trace', async ({ page }) => {
    await page.goto(`${stack.consoleUrl}/traces`);
    await expect(page.getByRole('heading', { level: 1, name: 'Traces' })).toBeVisible();

    const form = page.getByRole('form', { name: 'Start a trace' });
    await form.getByLabel('Name', { exact: true }).fill('e2e journey');
    await form.getByLabel('Client id (exact or *)').fill('e2e-pub-*');
    await form.getByLabel('Payload bytes to capture').fill('32');
    await form.getByRole('button', { name: 'Start trace' }).click();
    await expect(page).toHaveURL(/\/traces\/[0-9a-f-]{36}$/);
    await expect(page.getByRole('heading', { level: 1, name: 'e2e journey' })).toBeVisible();
    await expect(page.getByTestId('trace-status')).toHaveText('running');
    await expect(page.getByTestId('stream-state')).toHaveText('live');

    // Real MQTT clients: a subscriber and the traced publisher.
    const subscriber = await mqtt.connectAsync(stack.mqttUrl, { clientId: 'e2e-sub', protocolVersion: 5, reconnectPeriod: 0 });
    const publisher = await mqtt.connectAsync(stack.mqttUrl, { clientId: 'e2e-pub-1', protocolVersion: 5, reconnectPeriod: 0 });
    try {
      await subscriber.subscribeAsync('e2e/trace', { qos: 1 });
      await publisher.publishAsync('e2e/trace', 'hello from e2e', { qos: 1 });

      // The events arrive live, without reloading the page.
      const events = page.getByTestId('trace-event');
      await expect(events.filter({ has: page.locator('td', { hasText: /^publish_received$/ }) })).toHaveCount(1);
      await expect(events.filter({ has: page.locator('td', { hasText: /^delivery$/ }) })).toHaveCount(1);
      await expect(events.filter({ has: page.locator('td', { hasText: /^puback$/ }) })).toHaveCount(1);
      await expect(page.getByText('payload "hello from e2e"')).toBeVisible();
    } finally {
      await subscriber.endAsync();
      await publisher.endAsync();
    }

    // One message's journey.
    const received = page.getByTestId('trace-event').filter({ has: page.locator('td', { hasText: /^publish_received$/ }) });
    await received.getByRole('link').click();
    await expect(page.getByRole('heading', { level: 1, name: 'Message journey' })).toBeVisible();
    const journey = page.getByRole('table', { name: 'Message journey' }).getByTestId('trace-event');
    await expect(journey.first()).toHaveAttribute('data-type', 'publish_received');
    const types = await journey.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-type')));
    expect(types).toEqual(expect.arrayContaining(['publish_received', 'delivery', 'routed', 'puback']));

    // Back to the trace: stop it; the live view ends.
    await page.getByRole('link', { name: '← Trace' }).click();
    await expect(page.getByTestId('trace-status')).toHaveText('running');
    await page.getByRole('button', { name: 'Stop trace' }).click();
    await expect(page.getByTestId('trace-status')).toHaveText('stopped');
    await expect(page.getByTestId('stream-state')).toHaveText('ended');
    await expect(page.getByRole('button', { name: 'Stop trace' })).toHaveCount(0);
  });
});
