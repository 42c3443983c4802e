import { expect, test as setup } from '@playwright/test';
import { loginToApi } from '../fixtures/api.js';
import { adminPassword, adminStorageState, adminUsername } from '../fixtures/stack.js';

setup('sign in as the first admin (browser state and an API token for set-up)', async ({ page }) => {
  await loginToApi();
  await page.goto('/login');
  await page.getByLabel('Username').fill(adminUsername);
  await page.getByLabel('Password').fill(adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/overview$/);
  await expect(page.getByTestId('signed-in-as')).toContainText(adminUsername);
  await page.context().storageState({ path: adminStorageState });
});
