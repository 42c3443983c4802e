import type { Packet } from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { startDurableBroker, type DurableTestBroker } from '../helpers/durable-broker.js';
import { closeLifecycleClients, connectV } from '../helpers/lifecycle.js';
import { createMigratedDatabase } from '../helpers/postgres.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let broker: DurableTestBroker | undefined;
let proxy: TcpProxy | undefined;

afterEach(async () => {
  await closeLifecycleClients();
  await proxy?.restore();
  await broker?.close();
  await proxy?.close();
  broker = undefined;
  proxy = undefined;
});

async function brokerBehindProxy(label: string, config = {}) {
  const direct = new URL(await createMigratedDatabase(label));
  proxy = await startTcpProxy(Number(direct.port));
  const viaProxy = new URL(direct);
  viaProxy.port = String(proxy.port);
  broker = await startDurableBroker(viaProxy.toString(), config);
  return { broker, proxy };
}

describe('durability: Postgres outage', () => {
  it('connected clients keep working while Postgres is unreachable; nothing acknowledged is lost; the broker recovers without a restart', async () => {
    const { broker, proxy } = await brokerBehindProxy('outage');
    const sub = await connectV(broker.url, { clientId: 'o-sub', clean: false, properties: { sessionExpiryInterval: 3600 } });
    await sub.client.subscribeAsync('o/#', { qos: 1 });
    const live = await connectV(broker.url, { clientId: 'o-live' }); // a non-persistent session
    await live.client.subscribeAsync('live/#', { qos: 1 });
    const pub = await connectV(broker.url, { clientId: 'o-pub' });
    const acked = new Set<string>();
    pub.client.on('packetreceive', (p: Packet) => {
      if (p.cmd === 'puback' && (p.reasonCode ?? 0) < 0x80) acked.add(String(p.messageId));
    });

    const sent: Promise<unknown>[] = [];
    for (let i = 0; i < 50; i++) sent.push(pub.client.publishAsync('o/x', `before-${i}`, { qos: 1 }));
    await Promise.all(sent);
    expect(broker.broker.health().store).toBe('ok');

    await proxy.cut();
    const during: Promise<unknown>[] = [];
    for (let i = 0; i < 50; i++) during.push(pub.client.publishAsync('o/x', `during-${i}`, { qos: 1 }));
    // Not durable yet: not acknowledged, and not sent on.
    await sleep(800);
    expect(broker.broker.health().store).toBe('degraded');
    const receivedBeforeRecovery = sub.received.length;
    expect(receivedBeforeRecovery).toBe(50);
    // Traffic that needs no durability goes on (another connection: one connection's
    // acknowledgements keep their order, so they wait behind its pending ones).
    const other = await connectV(broker.url, { clientId: 'o-other' });
    await other.client.publishAsync('live/x', 'still-served', { qos: 1 });
    expect(live.received.map((p) => p.payload.toString())).toEqual(['still-served']);

    await proxy.restore();
    await Promise.all(during);
    const deadline = Date.now() + 10000;
    while (sub.received.length < 100 && Date.now() < deadline) await sleep(20);
    const payloads = sub.received.map((p) => p.payload.toString());
    expect(payloads.filter((p) => p.startsWith('during-'))).toEqual(Array.from({ length: 50 }, (_, i) => `during-${i}`));
    expect(broker.broker.health().store).toBe('ok');
    console.log(`outage test counts: ${JSON.stringify({ receivedBeforeOutage: receivedBeforeRecovery, receivedTotal: sub.received.length, healthAfter: broker.broker.health() })}`);
  });

  it('beyond the write budget, a 5.0 QoS 1 publication gets reason code 0x97 (Quota exceeded), not a false acknowledgement', async () => {
    const { broker, proxy } = await brokerBehindProxy('budget', { persistBufferMax: 20 });
    const sub = await connectV(broker.url, { clientId: 'b-sub', clean: false, properties: { sessionExpiryInterval: 3600 } });
    await sub.client.subscribeAsync('b/#', { qos: 1 });
    const filler = await connectV(broker.url, { clientId: 'b-filler' });
    const late = await connectV(broker.url, { clientId: 'b-late' });
    await proxy.cut();
    // Each publication to the persistent subscriber costs writes (message + delivery): fill the budget.
    const pending = Array.from({ length: 10 }, (_, i) => filler.client.publishAsync('b/x', `m-${i}`, { qos: 1 }));
    const deadline = Date.now() + 5000;
    while (!broker.broker.context.durable!.overBudget() && Date.now() < deadline) await sleep(10);
    late.client.on('error', () => {}); // MQTT.js also reports an error reason code as an 'error' event
    const codes: number[] = [];
    late.client.on('packetreceive', (p: Packet) => {
      if (p.cmd === 'puback') codes.push(p.reasonCode ?? 0);
    });
    late.client.publish('b/x', 'refused', { qos: 1 }, () => {});
    while (codes.length === 0 && Date.now() < deadline) await sleep(10);
    expect(codes).toEqual([0x97]);
    await proxy.restore();
    await Promise.all(pending);
    while (sub.received.length < 10 && Date.now() < deadline + 5000) await sleep(20);
    // Every acknowledged message is delivered; the refused one is not.
    expect(sub.received.map((p) => p.payload.toString())).toEqual(Array.from({ length: 10 }, (_, i) => `m-${i}`));
  });
});
