import { expect, test } from '@playwright/test';
import { unique } from '../fixtures/api.js';
import { closeAll, connectClient } from '../fixtures/mqtt-client.js';
import { screenshot } from '../fixtures/screenshots.js';
import { createDeviceUser, type DeviceUser } from '../fixtures/setup-data.js';

/** Message tracing through the console, as the signed-in admin, with real MQTT clients. */
test.describe('tracing journey', () => {
  let device: DeviceUser;
  let prefix: string;
  test.beforeAll(async () => {
    device = await createDeviceUser('e2e-trace');
    prefix = unique('e2e-trace');
  });
  test.afterAll(async () => closeAll());

  test('start a trace, watch a published message arrive live, open its journey, stop the trace', async ({ page }, testInfo) => {
    await page.goto('/traces');
    await expect(page.getByRole('heading', { level: 1, name: 'Traces' })).toBeVisible();

    const form = page.getByRole('form', { name: 'Start a trace' });
    await form.getByLabel('Name', { exact: true }).fill('e2e journey');
    await form.getByLabel('Client id (exact or *)').fill(`${prefix}-pub-*`);
    await form.getByLabel('Payload bytes to capture').fill('32');
    await form.getByRole('button', { name: 'Start trace' }).click();
    await expect(page).toHaveURL(/\/traces\/[0-9a-f-]{36}$/);
    await expect(page.getByRole('heading', { level: 1, name: 'e2e journey' })).toBeVisible();
    await expect(page.getByTestId('trace-status')).toHaveText('running');
    await expect(page.getByTestId('stream-state')).toHaveText('live');

    // Real MQTT clients: a subscriber and the traced publisher.
    const subscriber = await connectClient({ clientId: `${prefix}-sub`, username: device.username, password: device.password });
    const publisher = await connectClient({ clientId: `${prefix}-pub-1`, username: device.username, password: device.password });
    try {
      await subscriber.subscribeAsync(`${device.topicPrefix}/trace`, { qos: 1 });
      await publisher.publishAsync(`${device.topicPrefix}/trace`, 'hello from e2e', { qos: 1 });

      // The events arrive live, without reloading the page.
      const events = page.getByTestId('trace-event');
      await expect(events.filter({ has: page.locator('td', { hasText: /^publish_received$/ }) })).toHaveCount(1);
      await expect(events.filter({ has: page.locator('td', { hasText: /^delivery$/ }) })).toHaveCount(1);
      await expect(events.filter({ has: page.locator('td', { hasText: /^puback$/ }) })).toHaveCount(1);
      await expect(page.getByText('payload "hello from e2e"')).toBeVisible();
    } finally {
      await closeAll();
    }
    await screenshot(page, testInfo, 'trace-live');

    // One message's journey.
    const received = page.getByTestId('trace-event').filter({ has: page.locator('td', { hasText: /^publish_received$/ }) });
    await received.getByRole('link').click();
    await expect(page.getByRole('heading', { level: 1, name: 'Message journey' })).toBeVisible();
    await screenshot(page, testInfo, 'trace-message-journey');
    const journey = page.getByRole('table', { name: 'Message journey' }).getByTestId('trace-event');
    await expect(journey.first()).toHaveAttribute('data-type', 'publish_received');
    const types = await journey.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-type')));
    expect(types).toEqual(expect.arrayContaining(['publish_received', 'delivery', 'routed', 'puback']));

    // Back to the trace: stop it; the live view ends.
    await page.getByRole('link', { name: '← Trace' }).click();
    await expect(page.getByTestId('trace-status')).toHaveText('running');
    await page.getByRole('button', { name: 'Stop trace' }).click();
    await expect(page.getByTestId('trace-status')).toHaveText('stopped');
    await expect(page.getByTestId('stream-state')).toHaveText('ended');
    await expect(page.getByRole('button', { name: 'Stop trace' })).toHaveCount(0);
  });
});
