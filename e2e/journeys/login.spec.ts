import { expect, test } from '@playwright/test';
import { apiCall, unique } from '../fixtures/api.js';
import { screenshot } from '../fixtures/screenshots.js';
import { adminPassword, adminUsername } from '../fixtures/stack.js';

test.use({ storageState: { cookies: [], origins: [] } });

test.describe('sign in and out', () => {
  test('a signed-out visitor is sent to the login page; a wrong password is refused; the right one opens the overview; sign out ends it', async ({ page }, testInfo) => {
    await page.goto('/clients');
    await expect(page).toHaveURL(/\/login$/);
    await expect(page).toHaveTitle('Sign in · MQTT Platform');
    await screenshot(page, testInfo, 'login');

    await page.getByLabel('Username').fill(adminUsername);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.locator('#login-error')).toHaveText('Wrong username or password.');
    await expect(page).toHaveURL(/\/login$/);

    await page.getByLabel('Password').fill(adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/overview$/);
    await expect(page.getByTestId('signed-in-as')).toContainText(`${adminUsername} admin`);

    // The credential lives in an HttpOnly cookie the page's scripts cannot read.
    const cookies = await page.context().cookies();
    const session = cookies.find((cookie) => cookie.name === 'mqttp_console');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Strict');
    expect(await page.evaluate(() => document.cookie)).not.toContain('mqttp_console');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login$/);
    await page.goto('/overview');
    await expect(page).toHaveURL(/\/login$/);
  });

  test('an admin disabled meanwhile sees the session end: the live page says so and the next load asks to sign in', async ({ page }) => {
    const username = unique('e2e-operator');
    const password = `operator-${unique('pw')}`;
    const created = await apiCall<{ id: string }>('POST', '/admins', { username, password, role: 'operator' });
    expect(created.status).toBe(201);
    await page.goto('/login');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('signed-in-as')).toContainText(`${username} operator`);
    await page.goto('/clients');
    await expect(page.getByTestId('clients-table').or(page.getByText('No client matches.'))).toBeVisible();

    expect((await apiCall('PATCH', `/admins/${created.body.id}`, { disabled: true })).status).toBe(200);
    await expect(page.getByRole('button', { name: 'Sign in again' })).toBeVisible();
    await page.reload();
    await expect(page).toHaveURL(/\/login$/);
  });
});
