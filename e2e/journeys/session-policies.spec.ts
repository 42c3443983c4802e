import { expect, test } from '@playwright/test';
import { unique } from '../fixtures/api.js';
import { closeAll, connectWithConnack } from '../fixtures/mqtt-client.js';
import { screenshot } from '../fixtures/screenshots.js';
import { createDeviceUser } from '../fixtures/setup-data.js';

test.afterEach(async () => closeAll());

test.describe('session policies', () => {
  test('a per-user override made in the console caps what the broker grants at CONNECT', async ({ page }, testInfo) => {
    const device = await createDeviceUser('e2e-policy');
    await page.goto('/session-policies');
    await expect(page.getByLabel('Max queued messages').first()).toBeVisible();
    await page.getByRole('button', { name: 'New override' }).click();
    const editor = page.getByRole('dialog', { name: 'New override' });
    await editor.getByLabel('For a').selectOption('user');
    await editor.getByLabel('Name').fill(device.username);
    await editor.getByLabel('Max keep alive (s)').fill('30');
    await editor.getByLabel('Max queued messages').fill('abc');
    await editor.getByRole('button', { name: 'Save override' }).click();
    await expect(editor.getByRole('alert')).toHaveText('Max queued messages must be a whole number, or empty to inherit.');
    await editor.getByLabel('Max queued messages').fill('');
    await editor.getByRole('button', { name: 'Save override' }).click();
    await expect(page.getByTestId('notice')).toHaveText(`Override for user ${device.username} saved.`);
    const row = page.getByRole('row', { name: new RegExp(device.username) });
    await expect(row).toContainText('keep alive ≤ 30 s');
    await screenshot(page, testInfo, 'session-policies');

    // MQTT 5: the broker answers a longer Keep Alive with Server Keep Alive = the cap.
    await expect
      .poll(
        async () => {
          const { client, connack } = await connectWithConnack({ clientId: unique('e2e-policy'), username: device.username, password: device.password, keepalive: 300 });
          await client.endAsync();
          return connack.properties?.serverKeepAlive;
        },
        { timeout: 15_000 },
      )
      .toBe(30);
  });
});
