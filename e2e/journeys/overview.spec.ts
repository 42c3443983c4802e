import { expect, test } from '@playwright/test';
import { unique } from '../fixtures/api.js';
import { closeAll, connectClient } from '../fixtures/mqtt-client.js';
import { screenshot } from '../fixtures/screenshots.js';
import { createDeviceUser } from '../fixtures/setup-data.js';

test.afterEach(async () => closeAll());

function numberIn(text: string | null): number {
  return Number((text ?? '').replaceAll(',', ''));
}

test.describe('overview', () => {
  test('the live numbers move while a test publisher runs, without reloading the page', async ({ page }, testInfo) => {
    const device = await createDeviceUser('e2e-load');
    await page.goto('/overview');
    const messagesIn = page.getByTestId('stat-messagesIn');
    await expect(messagesIn).not.toHaveText('—');
    const before = numberIn(await messagesIn.textContent());
    const connectionsBefore = numberIn(await page.getByTestId('stat-connections').textContent());
    let loaded = false;
    page.on('load', () => {
      loaded = true;
    });

    const publisher = await connectClient({ clientId: unique('e2e-publisher'), username: device.username, password: device.password });
    let sent = 0;
    const timer = setInterval(() => {
      sent += 1;
      publisher.publish(`${device.topicPrefix}/load`, `tick ${sent}`, { qos: 0 });
    }, 20);
    try {
      await expect.poll(async () => numberIn(await messagesIn.textContent()), { timeout: 30_000 }).toBeGreaterThan(before + 20);
      await expect.poll(async () => numberIn(await page.getByTestId('stat-connections').textContent()), { timeout: 30_000 }).toBeGreaterThan(connectionsBefore);
      await expect.poll(async () => numberIn(await page.getByTestId('stat-messagesInRate').textContent()), { timeout: 30_000 }).toBeGreaterThan(0);
    } finally {
      clearInterval(timer);
    }
    expect(loaded).toBe(false);
    await expect(page.getByRole('img', { name: /Messages per second over the last hour/ })).toBeVisible();
    await screenshot(page, testInfo, 'overview');
  });
});
