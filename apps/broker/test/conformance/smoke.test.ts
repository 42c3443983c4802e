import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { closeAllClients, collect, connectClient, waitFor } from '../helpers/clients.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker();
});
afterAll(() => broker.close());
afterEach(() => closeAllClients());

describe('publish and subscribe end to end', () => {
  for (const protocolVersion of [4, 5] as const) {
    it(`delivers QoS 0, 1 and 2 over TCP (protocol level ${protocolVersion})`, async () => {
      const sub = await connectClient(broker.url, { protocolVersion });
      const received = collect(sub);
      await sub.subscribeAsync('smoke/#', { qos: 2 });
      const pub = await connectClient(broker.url, { protocolVersion });
      await pub.publishAsync('smoke/a', 'zero', { qos: 0 });
      await pub.publishAsync('smoke/b', 'one', { qos: 1 });
      await pub.publishAsync('smoke/c', 'two', { qos: 2 });
      await waitFor(() => received.length === 3, 5000, 'three messages');
      expect(received.map((p) => [p.topic, p.payload.toString(), p.qos])).toEqual([
        ['smoke/a', 'zero', 0],
        ['smoke/b', 'one', 1],
        ['smoke/c', 'two', 2],
      ]);
    });
  }

  it('delivers over WebSocket at /mqtt', async () => {
    const sub = await connectClient(broker.wsUrl);
    const received = collect(sub);
    await sub.subscribeAsync('ws/+', { qos: 1 });
    const pub = await connectClient(broker.url);
    await pub.publishAsync('ws/x', 'hello', { qos: 1 });
    await waitFor(() => received.length === 1);
    expect(received[0]!.payload.toString()).toBe('hello');
  });
});
