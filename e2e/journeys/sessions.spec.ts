import { expect, test } from '@playwright/test';
import { apiCall, unique } from '../fixtures/api.js';
import { closeAll, connectClient } from '../fixtures/mqtt-client.js';
import { screenshot } from '../fixtures/screenshots.js';
import { createDeviceUser } from '../fixtures/setup-data.js';

test.afterEach(async () => closeAll());

/** A persistent session left behind by a client that went away (MQTT 5: Session Expiry Interval > 0). */
async function leavePersistentSession(username: string, password: string, topic: string): Promise<string> {
  const clientId = unique('e2e-persistent');
  const client = await connectClient({ clientId, username, password, clean: false, properties: { sessionExpiryInterval: 3600 } });
  await client.subscribeAsync(topic, { qos: 1 });
  await client.endAsync();
  return clientId;
}

test.describe('persistent sessions', () => {
  test('an offline persistent session is listed and expired with confirmation', async ({ page }, testInfo) => {
    const device = await createDeviceUser('e2e-sess');
    const clientId = await leavePersistentSession(device.username, device.password, `${device.topicPrefix}/#`);

    await page.goto('/sessions');
    const row = page.getByTestId('sessions-table').getByRole('row', { name: new RegExp(clientId) });
    await expect(row).toContainText('offline');
    await screenshot(page, testInfo, 'sessions');

    await row.getByRole('button', { name: `Expire session ${clientId}` }).click();
    await page.getByRole('dialog', { name: `Expire the session of ${clientId}?` }).getByRole('button', { name: 'Expire session' }).click();
    await expect(page.getByTestId('notice')).toHaveText(`Session of ${clientId} expired.`);
    await expect(page.getByRole('link', { name: clientId })).toHaveCount(0);
    expect((await apiCall('GET', `/clients/${encodeURIComponent(clientId)}`)).status).toBe(404);
  });

  test('bulk expiry by age and username prefix shows its progress to the end', async ({ page }, testInfo) => {
    const device = await createDeviceUser('e2e-bulk');
    const ids = [await leavePersistentSession(device.username, device.password, `${device.topicPrefix}/a`), await leavePersistentSession(device.username, device.password, `${device.topicPrefix}/b`)];

    await page.goto('/sessions');
    for (const id of ids) await expect(page.getByRole('link', { name: id })).toBeVisible();
    const bulk = page.getByRole('region', { name: 'Expire sessions in bulk' });
    await bulk.getByLabel('Offline for at least', { exact: true }).fill('0');
    await bulk.getByLabel('Unit').selectOption('seconds');
    await bulk.getByLabel('Username starts with (optional)').fill(device.username);
    await bulk.getByRole('button', { name: 'Expire matching sessions' }).click();
    await page.getByRole('dialog', { name: 'Expire sessions in bulk?' }).getByRole('button', { name: 'Start expiry' }).click();
    await expect(page.getByTestId('expire-job-progress')).toContainText('2 of 2 sessions expired');
    await expect(page.getByTestId('notice')).toHaveText('Bulk expiry finished: 2 of 2 sessions expired.');
    await screenshot(page, testInfo, 'sessions-bulk-expiry');
    for (const id of ids) await expect(page.getByRole('link', { name: id })).toHaveCount(0);
  });
});
