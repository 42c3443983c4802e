import { expect, test } from '@playwright/test';
import { apiCall, unique } from '../fixtures/api.js';
import { screenshot } from '../fixtures/screenshots.js';

test.describe('live views', () => {
  test('the $SYS tree updates its values without a reload', async ({ page }, testInfo) => {
    await page.goto('/sys');
    const uptime = page.locator('[data-topic="$SYS/broker/uptime"]');
    await expect(uptime).toHaveText(/\d+ seconds/);
    const first = await uptime.textContent();
    let loaded = false;
    page.on('load', () => {
      loaded = true;
    });
    // The broker publishes $SYS every SYS_INTERVAL (2 s in the e2e stack); the page polls.
    await expect(uptime).not.toHaveText(first ?? '', { timeout: 20_000 });
    expect(loaded).toBe(false);
    await page.getByLabel('Topic contains').fill('uptime');
    await expect(page.getByTestId('sys-tree').locator('.leaf')).toHaveCount(1);
    await screenshot(page, testInfo, 'sys');
  });

  test('the audit log shows a change with who made it, filtered through the URL', async ({ page }, testInfo) => {
    const username = unique('e2e-audited');
    const created = await apiCall<{ id: string }>('POST', '/mqtt-users', { username, description: 'audited' });
    expect(created.status).toBe(201);

    await page.goto('/audit-log');
    await page.getByLabel('Action').fill('mqtt-user.create');
    await page.getByLabel('Resource').fill('mqtt-user');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect(page).toHaveURL(/action=mqtt-user.create/);
    const row = page.getByTestId('audit-table').getByRole('row', { name: new RegExp(created.body.id) });
    await expect(row).toContainText('admin:admin');
    await row.getByText('Before / after').click();
    await expect(row.locator('pre')).toContainText(username);
    await screenshot(page, testInfo, 'audit-log');
  });
});

test.describe('publishing from the console', () => {
  test('a retained message published from the Retained page is stored and listed', async ({ page }) => {
    const topic = `e2e/console/${unique('pub')}/state`;
    await page.goto(`/retained?filter=${encodeURIComponent(topic)}`);
    await expect(page.getByText(`No retained message matches ${topic}.`)).toBeVisible();
    await page.getByText('Publish a message').click();
    await page.getByLabel('Topic', { exact: true }).fill(topic);
    await page.getByLabel('Payload (UTF-8)').fill('on');
    await page.getByRole('button', { name: 'Publish' }).click();
    await expect(page.getByTestId('notice')).toHaveText(`Published to ${topic} (retained).`);
    await expect(page.getByTestId('retained-table').getByRole('row', { name: new RegExp(topic) })).toContainText('on');
    const stored = await apiCall<{ payloadText: string }>('GET', `/retained/message?topic=${encodeURIComponent(topic)}`);
    expect(stored.body.payloadText).toBe('on');
  });
});
