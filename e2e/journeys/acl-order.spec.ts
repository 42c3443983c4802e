import { expect, test } from '@playwright/test';
import { apiCall, unique } from '../fixtures/api.js';

interface Rule {
  id: string;
  topic: string;
}

async function ruleOrder(): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { body: { items: Rule[]; nextCursor: string | null } } = await apiCall('GET', `/acl-rules?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    ids.push(...page.body.items.map((rule) => rule.id));
    cursor = page.body.nextCursor;
  } while (cursor);
  return ids;
}

test.describe('ACL rule order', () => {
  test('moving a rule up in the table changes the evaluation order the API reports', async ({ page }) => {
    const name = unique('e2e-order');
    const first = await apiCall<Rule>('POST', '/acl-rules', { subjectKind: 'user', subject: name, action: 'publish', topic: `order/${name}/first`, permission: 'allow', priority: 500_000 });
    const second = await apiCall<Rule>('POST', '/acl-rules', { subjectKind: 'user', subject: name, action: 'publish', topic: `order/${name}/second`, permission: 'deny', priority: 500_001 });
    expect([first.status, second.status]).toEqual([201, 201]);
    const before = await ruleOrder();
    expect(before.indexOf(first.body.id)).toBe(before.indexOf(second.body.id) - 1);

    await page.goto('/acl-rules');
    await page.getByRole('button', { name: `Move rule order/${name}/second up` }).click();
    await expect(page.getByTestId('notice')).toHaveText('Order saved: priorities renumbered 10, 20, 30, …');
    const rows = page.getByTestId('acl-rules-table').getByRole('row').filter({ hasText: `order/${name}/` });
    await expect(rows.first()).toContainText(`order/${name}/second`);
    await expect(rows.nth(1)).toContainText(`order/${name}/first`);
    const after = await ruleOrder();
    expect(after.indexOf(second.body.id)).toBe(after.indexOf(first.body.id) - 1);
    expect(after.length).toBe(before.length);
  });
});
