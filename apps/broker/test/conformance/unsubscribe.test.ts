import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { waitFor } from '../helpers/clients.js';
import { closeCollectingClients, connectCollecting, payloads } from '../helpers/collecting-client.js';
import { destroyRawClients, rawConnected, rawSubscribe, rawUnsubscribe } from '../helpers/raw-ops.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker();
});
afterAll(() => broker.close());
afterEach(async () => {
  destroyRawClients();
  await closeCollectingClients();
});

let unique = 0;
const fresh = (name: string): string => `unsub-${name}-${++unique}`;

describe('UNSUBSCRIBE (5.0)', () => {
  it('[MQTT-3.10.4-6] [MQTT-3.11.3-1] UNSUBACK has a reason code per filter, in order: 0x00 deleted, 0x11 no subscription existed, 0x8F invalid filter', async () => {
    const p = fresh('codes');
    const raw = await rawConnected(broker.port, 5, { clientId: `${p}-raw` });
    const suback = await rawSubscribe(raw, 5, 1, [
      { topic: `${p}/a`, qos: 1, nl: false, rap: false, rh: 0 },
      { topic: `${p}/+`, qos: 0, nl: false, rap: false, rh: 0 },
      { topic: '$share/g/' + p, qos: 1, nl: false, rap: false, rh: 0 },
    ]);
    expect(suback.granted).toEqual([1, 0, 1]);
    const unsuback = await rawUnsubscribe(raw, 5, 777, [`${p}/a`, `${p}/none`, 'a/#/b', `${p}/+`, `${p}/a`, '$share/g/' + p, '$share//x']);
    // [MQTT-3.10.4-5] same packet identifier.
    expect(unsuback.messageId).toBe(777);
    expect(unsuback.granted).toEqual([0x00, 0x11, 0x8f, 0x00, 0x11, 0x00, 0x8f]);
    expect(broker.broker.context.sessions.get(`${p}-raw`)!.subscriptions.size).toBe(0);
    expect(raw.closed).toBe(false);
  });

  it('[MQTT-3.10.4-1] filters are compared character by character: a wildcard filter does not remove the subscriptions it covers', async () => {
    const p = fresh('exact');
    const sub = await connectCollecting(broker.url);
    await sub.client.subscribeAsync(`${p}/a`, { qos: 1 });
    await sub.client.unsubscribeAsync([`${p}/+`, `${p}/#`, `${p}/A`]);
    const pub = await connectCollecting(broker.url);
    await pub.client.publishAsync(`${p}/a`, 'still subscribed', { qos: 1 });
    await waitFor(() => sub.received.length >= 1, 5000, 'the message');
    expect(payloads(sub.received)).toEqual(['still subscribed']);
  });

  it('[MQTT-3.10.4-1] UNSUBACK 0x11 for a filter that only differs from a subscription by case or a trailing level', async () => {
    const p = fresh('exact-raw');
    const raw = await rawConnected(broker.port, 5);
    await rawSubscribe(raw, 5, 1, [{ topic: `${p}/a`, qos: 1, nl: false, rap: false, rh: 0 }]);
    const unsuback = await rawUnsubscribe(raw, 5, 2, [`${p}/+`, `${p}/#`, `${p}/A`, `${p}/a/`]);
    expect(unsuback.granted).toEqual([0x11, 0x11, 0x11, 0x11]);
  });
});

describe('UNSUBSCRIBE stops delivery', () => {
  for (const version of [4, 5] as const) {
    it(`[MQTT-3.10.4-2] once unsubscribed no new messages matching the filter are delivered; other subscriptions continue (protocol level ${version})`, async () => {
      const p = fresh('stop');
      const sub = await connectCollecting(broker.url, { protocolVersion: version });
      await sub.client.subscribeAsync({ [`${p}/stop/#`]: { qos: 1 }, [`${p}/keep/#`]: { qos: 1 } });
      const pub = await connectCollecting(broker.url, { protocolVersion: version });
      await pub.client.publishAsync(`${p}/stop/x`, 'before', { qos: 1 });
      await waitFor(() => sub.received.length >= 1, 5000, 'the first message');
      await sub.client.unsubscribeAsync(`${p}/stop/#`);
      await pub.client.publishAsync(`${p}/stop/x`, 'after', { qos: 1 });
      await pub.client.publishAsync(`${p}/keep/x`, 'sentinel', { qos: 1 });
      await waitFor(() => sub.received.some((m) => m.payload.toString() === 'sentinel'), 5000, 'sentinel');
      expect(payloads(sub.received)).toEqual(['before', 'sentinel']);
    });
  }
});

describe('UNSUBSCRIBE (3.1.1)', () => {
  it('[MQTT-3.10.4-4] [MQTT-3.10.4-5] UNSUBACK carries the packet identifier and no payload, even when no subscription was deleted', async () => {
    const p = fresh('v311');
    const raw = await rawConnected(broker.port, 4, { clientId: `${p}-raw` });
    const suback = await rawSubscribe(raw, 4, 9, [{ topic: `${p}/a`, qos: 2 }]);
    expect(suback.granted).toEqual([2]);
    const deleted = await rawUnsubscribe(raw, 4, 10, [`${p}/a`]);
    expect(deleted.messageId).toBe(10);
    expect(deleted.length).toBe(2); // remaining length: the packet identifier only
    expect(broker.broker.context.sessions.get(`${p}-raw`)!.subscriptions.size).toBe(0);
    const nothing = await rawUnsubscribe(raw, 4, 65535, [`${p}/never`, `${p}/a`]);
    expect(nothing.messageId).toBe(65535);
    expect(nothing.length).toBe(2);
    expect(raw.closed).toBe(false);
  });
});
