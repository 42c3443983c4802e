import { expect, test } from '@playwright/test';
import { unique } from '../fixtures/api.js';
import { closeAll, connectClient } from '../fixtures/mqtt-client.js';
import { screenshot } from '../fixtures/screenshots.js';

test.afterEach(async () => closeAll());

test.describe('MQTT users and credentials', () => {
  test('create a user, issue a credential shown once, connect a real MQTT client with it, rotate it, revoke it', async ({ page }, testInfo) => {
    const username = unique('e2e-user');
    await page.goto('/mqtt-users');
    await page.getByRole('button', { name: 'New user' }).click();
    const dialog = page.getByRole('dialog', { name: 'New MQTT user' });
    await dialog.getByLabel('Username').fill(username);
    await dialog.getByLabel('Groups (comma separated)').fill('e2e, sensors');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await expect(page.getByTestId('notice')).toHaveText(`User ${username} created.`);
    await screenshot(page, testInfo, 'mqtt-users');

    await page.getByRole('link', { name: username }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`MQTT user ${username}`);
    await page.getByRole('button', { name: 'Issue credential' }).click();
    const issue = page.getByRole('dialog', { name: 'Issue a credential' });
    await issue.getByLabel('Label').fill('device-1');
    await issue.getByRole('button', { name: 'Issue' }).click();
    const secretDialog = page.getByRole('dialog', { name: 'New password: copy it now' });
    const password = (await secretDialog.getByTestId('credential-secret').textContent())?.trim() ?? '';
    expect(password.length).toBeGreaterThanOrEqual(16);
    await expect(secretDialog.getByRole('button', { name: 'Copy password' })).toBeVisible();
    await screenshot(page, testInfo, 'mqtt-user-credential-secret');
    await secretDialog.getByRole('button', { name: 'I have copied it' }).click();

    // Shown once: after closing, the page holds the secret nowhere.
    await expect(page.getByRole('cell', { name: 'device-1', exact: true })).toBeVisible();
    expect(await page.content()).not.toContain(password);
    await page.reload();
    await expect(page.getByRole('cell', { name: 'device-1', exact: true })).toBeVisible();
    expect(await page.content()).not.toContain(password);
    await screenshot(page, testInfo, 'mqtt-user');

    // The credential works at the broker.
    const client = await connectClient({ clientId: unique('e2e-cred'), username, password });
    expect(client.connected).toBe(true);
    await client.endAsync();

    // Rotation: a new secret, shown once; the old one stops working, the new one works.
    await page.getByRole('button', { name: 'Rotate credential device-1' }).click();
    await page.getByRole('dialog', { name: 'Rotate this credential?' }).getByRole('button', { name: 'Rotate' }).click();
    const rotatedDialog = page.getByRole('dialog', { name: 'New password: copy it now' });
    const rotated = (await rotatedDialog.getByTestId('credential-secret').textContent())?.trim() ?? '';
    expect(rotated.length).toBeGreaterThanOrEqual(16);
    expect(rotated).not.toBe(password);
    await rotatedDialog.getByRole('button', { name: 'I have copied it' }).click();
    await expect(page.getByTestId('notice')).toHaveText('Credential rotated: the old one is revoked.');
    await expect(page.getByRole('row', { name: /device-1/ }).filter({ has: page.getByText('revoked', { exact: true }) })).toHaveCount(1);
    await expect(connectClient({ clientId: unique('e2e-cred'), username, password })).rejects.toThrow();
    const rotatedClient = await connectClient({ clientId: unique('e2e-cred'), username, password: rotated });
    expect(rotatedClient.connected).toBe(true);
    await rotatedClient.endAsync();

    await page.getByRole('button', { name: 'Revoke credential device-1' }).click();
    await page.getByRole('dialog', { name: 'Revoke this credential?' }).getByRole('button', { name: 'Revoke' }).click();
    await expect(page.getByTestId('notice')).toHaveText('Credential revoked.');
    await expect(page.getByRole('row', { name: /device-1/ }).filter({ has: page.getByText('revoked', { exact: true }) })).toHaveCount(2);
    await expect(connectClient({ clientId: unique('e2e-cred'), username, password: rotated })).rejects.toThrow();
  });
});
