import { expect, test, type Page } from '@playwright/test';
import { apiCall, unique } from '../fixtures/api.js';
import { closeAll, connectClient } from '../fixtures/mqtt-client.js';
import { screenshot } from '../fixtures/screenshots.js';
import { createDeviceUser } from '../fixtures/setup-data.js';

test.use({ storageState: { cookies: [], origins: [] } });
test.afterEach(async () => closeAll());

const DESTRUCTIVE = /^(Delete|Delete user|Delete all matching|Kick|Expire|Expire session|Expire matching sessions|Revoke|Rotate|Disable|Lift|New user|New rule|Issue credential|Import CSV|Ban|Save changes|Save defaults|New override|Edit)$/;

async function destructiveButtons(page: Page): Promise<string[]> {
  const names = await page.getByRole('button').allInnerTexts();
  return names.map((name) => name.trim()).filter((name) => DESTRUCTIVE.test(name));
}

test.describe('viewer role', () => {
  test('a viewer sees the data but no destructive or changing action, and no admin pages', async ({ page }, testInfo) => {
    const username = unique('e2e-viewer');
    const password = `viewer-${unique('pw')}`;
    const created = await apiCall('POST', '/admins', { username, password, role: 'viewer' });
    expect(created.status).toBe(201);
    const device = await createDeviceUser('e2e-seen');
    const clientId = unique('e2e-watched');
    const client = await connectClient({ clientId, username: device.username, password: device.password });
    await client.publishAsync(`${device.topicPrefix}/retained`, 'kept', { qos: 1, retain: true });

    await page.goto('/login');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('signed-in-as')).toContainText(`${username} viewer`);
    const nav = page.getByRole('navigation', { name: 'Sections' });
    await expect(nav.getByRole('link', { name: 'Admins' })).toHaveCount(0);
    await expect(nav.getByRole('link', { name: 'Audit log' })).toHaveCount(0);

    const visits: { path: string; ready: (p: Page) => Promise<void> }[] = [
      { path: `/clients/client?id=${encodeURIComponent(clientId)}`, ready: async (p) => expect(p.getByTestId('client-messages-in')).toBeVisible() },
      { path: `/mqtt-users/${device.userId}`, ready: async (p) => expect(p.getByRole('cell', { name: 'e2e' })).toBeVisible() },
      { path: '/mqtt-users', ready: async (p) => expect(p.getByRole('link', { name: device.username })).toBeVisible() },
      { path: '/acl-rules', ready: async (p) => expect(p.getByTestId('acl-rules-table')).toBeVisible() },
      { path: `/retained?filter=${encodeURIComponent(`${device.topicPrefix}/#`)}`, ready: async (p) => expect(p.getByTestId('retained-table')).toBeVisible() },
      { path: '/sessions', ready: async (p) => expect(p.getByRole('heading', { level: 1, name: 'Sessions' })).toBeVisible() },
      { path: '/bans', ready: async (p) => expect(p.getByRole('heading', { level: 1, name: 'Bans' })).toBeVisible() },
      { path: '/session-policies', ready: async (p) => expect(p.getByLabel('Max queued messages')).toBeVisible() },
    ];
    for (const visit of visits) {
      await page.goto(visit.path);
      await visit.ready(page);
      expect(await destructiveButtons(page), `changing actions on ${visit.path}`).toEqual([]);
    }
    await page.goto(`/clients/client?id=${encodeURIComponent(clientId)}`);
    await expect(page.getByTestId('client-messages-in')).toBeVisible();
    await screenshot(page, testInfo, 'viewer-client');

    // The admin pages are not reachable by URL either.
    await page.goto('/admins');
    await expect(page).toHaveURL(/\/overview$/);
    // And the API refuses a viewer's change even if one were attempted through the console.
    const refused = await page.evaluate(async (id) => (await fetch(`/bff/mqtt-users/${id}`, { method: 'DELETE' })).status, device.userId);
    expect(refused).toBe(403);
  });
});
