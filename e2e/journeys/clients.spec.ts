import { expect, test } from '@playwright/test';
import type { MqttClient } from 'mqtt';
import { apiCall, unique } from '../fixtures/api.js';
import { closeAll, connectClient } from '../fixtures/mqtt-client.js';
import { screenshot } from '../fixtures/screenshots.js';
import { createDeviceUser, type DeviceUser } from '../fixtures/setup-data.js';

/**
 * One device's story through the console: it connects and shows up live, its page shows its
 * subscription, a deny rule refuses its publish (and Explain access says which rule), its
 * retained message is found, viewed and deleted, and finally it is kicked.
 */
test.describe.serial('a device through the console', () => {
  let device: DeviceUser;
  let clientId: string;
  let client: MqttClient;

  test.beforeAll(async () => {
    device = await createDeviceUser();
    clientId = unique('e2e-client');
  });
  test.afterAll(async () => closeAll());

  test('a connected client appears in Clients within 2 s; its page shows its subscription', async ({ page }, testInfo) => {
    await page.goto(`/clients?q=${encodeURIComponent(clientId)}`);
    await expect(page.getByText('No client matches.')).toBeVisible();

    client = await connectClient({ clientId, username: device.username, password: device.password });
    await client.subscribeAsync(`${device.topicPrefix}/commands/#`, { qos: 1 });
    await expect(page.getByRole('link', { name: clientId })).toBeVisible({ timeout: 2_000 });
    const row = page.getByTestId('clients-table').getByRole('row', { name: new RegExp(clientId) });
    await expect(row).toContainText('connected');
    await expect(row).toContainText(device.username);
    await expect(row).toContainText('MQTT 5.0');
    await screenshot(page, testInfo, 'clients');

    await page.getByRole('link', { name: clientId }).click();
    await expect(page).toHaveURL(/\/clients\/client\?id=/);
    await expect(page.getByTestId('client-subscriptions')).toContainText(`${device.topicPrefix}/commands/#`);
    await expect(page.getByRole('heading', { level: 1 })).toContainText(clientId);
    await screenshot(page, testInfo, 'client');
  });

  test('a deny rule made in the editor refuses a publish; Explain access names the deciding rule', async ({ page }, testInfo) => {
    const denied = `${device.topicPrefix}/secret`;
    // Before the rule the publish is accepted.
    await expect(client.publishAsync(`${denied}/a`, 'before', { qos: 1 })).resolves.toBeDefined();

    await page.goto('/acl-rules');
    await page.getByRole('button', { name: 'New rule' }).click();
    const editor = page.getByRole('dialog', { name: 'New ACL rule' });
    await editor.getByLabel('Permission').selectOption('deny');
    await editor.getByLabel('Applies to').selectOption('user');
    await editor.getByLabel('Username', { exact: true }).fill(device.username);
    const topic = editor.getByLabel('Topic filter');
    // Checked as you type, in the browser, with the broker's own rules (@repo/acl).
    await topic.fill(`${denied}/#/x`);
    await expect(editor.getByTestId('topic-validation')).toContainText('"#" must be the last level');
    await expect(topic).toHaveAttribute('aria-invalid', 'true');
    await topic.fill(`${denied}/a+b`);
    await expect(editor.getByTestId('topic-validation')).toContainText('"+" must fill a whole level');
    await topic.fill(`${denied}/\${user}`);
    await expect(editor.getByTestId('topic-validation')).toHaveText('');
    await expect(editor.getByTestId('topic-warning')).toContainText('${user} is not a placeholder');
    await topic.fill(`${denied}/#`);
    await expect(editor.getByTestId('topic-validation')).toHaveText('');
    await expect(editor.getByTestId('topic-warning')).toHaveText('');
    await editor.getByLabel('Priority (lower first)').fill('10');
    // Before saving, the editor says which connected clients the rule would affect.
    await expect(editor.getByTestId('affected-clients')).toContainText(clientId);
    await editor.getByLabel('Description').fill('e2e: no secrets');
    await screenshot(page, testInfo, 'acl-rule-editor');
    await editor.getByRole('button', { name: 'Create rule' }).click();
    await expect(page.getByTestId('notice')).toContainText(`Rule deny publish ${denied}/# created`);

    // The broker refuses the publish: PUBACK reason code 0x87 Not authorized (MQTT 5).
    await expect
      .poll(async () => client.publishAsync(`${denied}/b`, 'after', { qos: 1 }).then(() => 0, (error: { code?: number }) => error.code ?? -1), { timeout: 15_000 })
      .toBe(0x87);
    await expect(client.publishAsync(`${device.topicPrefix}/open`, 'fine', { qos: 1 })).resolves.toBeDefined();

    const explain = page.getByRole('region', { name: 'Explain access' });
    await explain.getByLabel('Username (empty = anonymous)').fill(device.username);
    await explain.getByLabel('Client id').fill(clientId);
    await explain.getByLabel('Topic').fill(`${denied}/b`);
    await explain.getByLabel('QoS').selectOption('1');
    await explain.getByRole('button', { name: 'Explain' }).click();
    await expect(page.getByTestId('explain-result')).toContainText('Denied');
    await expect(page.getByTestId('explain-rule')).toContainText(`deny publish ${denied}/#`);
    await expect(page.getByTestId('explain-rule')).toContainText('e2e: no secrets');
    await expect(page.locator('tr.row-highlight')).toContainText(`${denied}/#`);
    await screenshot(page, testInfo, 'acl-rules');
  });

  test('a retained message is found by filter, viewed as JSON and hex, and deleted', async ({ page }, testInfo) => {
    const topic = `${device.topicPrefix}/status/temperature`;
    await client.publishAsync(topic, JSON.stringify({ celsius: 21.5, ok: true }), { qos: 1, retain: true });

    await page.goto(`/retained?filter=${encodeURIComponent(`${device.topicPrefix}/#`)}`);
    const row = page.getByTestId('retained-table').getByRole('row', { name: new RegExp(topic) });
    await expect(row).toBeVisible();
    await expect(row).toContainText('{"celsius":21.5,"ok":true}');
    await screenshot(page, testInfo, 'retained');

    await row.getByRole('button', { name: `View ${topic}` }).click();
    const viewer = page.getByRole('dialog', { name: `Retained on ${topic}` });
    await expect(viewer.getByTestId('payload-view')).toContainText('"celsius": 21.5');
    await viewer.getByRole('tab', { name: 'Hex' }).click();
    await expect(viewer.getByTestId('payload-view')).toContainText('7b 22 63 65 6c 73 69 75');
    await viewer.getByRole('tab', { name: 'Text' }).click();
    await expect(viewer.getByTestId('payload-view')).toHaveText('{"celsius":21.5,"ok":true}');
    await screenshot(page, testInfo, 'retained-message');
    await viewer.getByRole('button', { name: 'Close' }).click();

    await row.getByRole('button', { name: `Delete ${topic}` }).click();
    await page.getByRole('dialog', { name: 'Delete this retained message?' }).getByRole('button', { name: 'Delete' }).click();
    await expect(page.getByTestId('notice')).toHaveText(`Retained message on ${topic} deleted.`);
    await expect(page.getByText(`No retained message matches ${device.topicPrefix}/#.`)).toBeVisible();
    const after = await apiCall('GET', `/retained/message?topic=${encodeURIComponent(topic)}`);
    expect(after.status).toBe(404);
  });

  test('kick with options disconnects the client (DISCONNECT 0x98) and it leaves the Clients table', async ({ page }, testInfo) => {
    const disconnected = new Promise<number | undefined>((resolve) => client.once('disconnect', (packet) => resolve(packet.reasonCode)));
    await page.goto(`/clients/client?id=${encodeURIComponent(clientId)}`);
    await page.getByRole('button', { name: 'Kick' }).click();
    const confirm = page.getByRole('dialog', { name: `Kick ${clientId}?` });
    await confirm.getByLabel('Discard the session').check();
    await confirm.getByLabel('Suppress the will').check();
    await screenshot(page, testInfo, 'client-kick');
    await confirm.getByRole('button', { name: 'Kick client' }).click();
    await expect(page.getByTestId('notice')).toHaveText(`${clientId} kicked, session discarded, no will sent.`);
    expect(await disconnected).toBe(0x98);

    await page.goto(`/clients?q=${encodeURIComponent(clientId)}`);
    await expect(page.getByText('No client matches.')).toBeVisible();
  });
});
