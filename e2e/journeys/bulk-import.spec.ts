import { expect, test } from '@playwright/test';
import { apiCall, unique } from '../fixtures/api.js';
import { connectClient, closeAll } from '../fixtures/mqtt-client.js';
import { screenshot } from '../fixtures/screenshots.js';

test.afterEach(async () => closeAll());

test.describe('bulk import and export of MQTT users', () => {
  test('a CSV import reports per row, shows generated passwords once, and the export holds no secret', async ({ page }, testInfo) => {
    const prefix = unique('e2e-bulk-user');
    const taken = `${prefix}-taken`;
    expect((await apiCall('POST', '/mqtt-users', { username: taken })).status).toBe(201);
    const chosen = `chosen-${unique('pw')}`;
    const csv = ['username,password,groups,superuser,enabled,credentialLabel', `${prefix}-a,${chosen},floor1;floor2,false,true,import`, `${prefix}-b,,,,,import`, `${taken},,,,,import`].join('\n');

    await page.goto('/mqtt-users');
    await page.getByRole('button', { name: 'Import CSV' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import MQTT users from CSV' });
    await dialog.getByLabel('Or paste CSV').fill(csv);
    await expect(dialog.getByText('3 row(s) read.')).toBeVisible();
    await dialog.getByLabel('Import the other rows (best effort)').check();
    await dialog.getByRole('button', { name: 'Import' }).click();

    await expect(dialog.getByRole('status')).toContainText('2 created, 1 failed');
    const rows = dialog.getByRole('row');
    await expect(rows.filter({ hasText: `${prefix}-a` })).toContainText('created');
    await expect(rows.filter({ hasText: `${prefix}-a` }).locator('code')).toHaveCount(0); // it had a password: none generated
    const generatedRow = rows.filter({ hasText: `${prefix}-b` });
    await expect(generatedRow).toContainText('created');
    const generated = (await generatedRow.locator('code.secret').textContent())?.trim() ?? '';
    expect(generated.length).toBeGreaterThanOrEqual(16);
    await expect(rows.filter({ hasText: taken })).not.toContainText('created');
    await screenshot(page, testInfo, 'mqtt-users-import-report');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect(page.getByTestId('notice')).toHaveText('Import finished: 2 created, 1 failed.');
    expect(await page.content()).not.toContain(generated);

    // Both imported users can connect with their passwords.
    for (const [username, password] of [[`${prefix}-a`, chosen], [`${prefix}-b`, generated]] as const) {
      const client = await connectClient({ clientId: unique('e2e-import'), username, password });
      expect(client.connected).toBe(true);
    }

    const exported = await page.request.get(`/bff/mqtt-users/export?format=csv`);
    expect(exported.status()).toBe(200);
    const body = await exported.text();
    expect(body).toContain(`${prefix}-a`);
    expect(body).not.toContain(chosen);
    expect(body).not.toContain(generated);
  });
});
