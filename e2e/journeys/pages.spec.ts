import { expect, test } from '@playwright/test';
import { screenshot } from '../fixtures/screenshots.js';
import { sections } from '../fixtures/stack.js';

test.describe('every section', () => {
  for (const width of [1280, 768]) {
    test(`is reachable from the sidebar, marks itself current and fits ${width} px`, async ({ page }, testInfo) => {
      await page.setViewportSize({ width, height: 900 });
      await page.goto('/');
      await expect(page).toHaveURL(/\/overview$/);
      const nav = page.getByRole('navigation', { name: 'Sections' });
      await expect(nav.getByRole('link')).toHaveText(sections.map((section) => section.label));

      for (const section of sections) {
        await nav.getByRole('link', { name: section.label, exact: true }).click();
        await expect(page).toHaveURL(new RegExp(`${section.path.replace('$', '\\$')}$`));
        await expect(page.getByRole('heading', { level: 1, name: section.label })).toBeVisible();
        await expect(nav.getByRole('link', { name: section.label, exact: true })).toHaveAttribute('aria-current', 'page');
        await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
        // Readable without sideways scrolling of the page (wide tables scroll inside their panel).
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
        await screenshot(page, testInfo, `section-${section.path.slice(1).replace('$', '') || 'home'}-${width}`);
      }
    });
  }

  test('a page is usable from the keyboard: skip link, then the first control', async ({ page }) => {
    await page.goto('/mqtt-users');
    await page.keyboard.press('Tab');
    await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await expect(page.getByLabel('Username starts with')).toBeFocused();
    await page.keyboard.type('nobody-has-this-name');
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/username=nobody-has-this-name/);
    await expect(page.getByText('No user starts with "nobody-has-this-name".')).toBeVisible();
  });
});
