import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startDurableBroker, type DurableTestBroker } from '../helpers/durable-broker.js';
import { closeAllClients, connectClient, waitFor } from '../helpers/clients.js';
import { createMigratedDatabase } from '../helpers/postgres.js';
import { documentedMetricNames, parsePrometheusText, type PromScrape } from '../helpers/prometheus-text.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

const README = fileURLToPath(new URL('../../../../README.md', import.meta.url));
let broker: DurableTestBroker | undefined;
let proxy: TcpProxy | undefined;

afterEach(async () => {
  await closeAllClients();
  await proxy?.restore();
  await broker?.close();
  await proxy?.close();
  broker = undefined;
  proxy = undefined;
});

function base(b: DurableTestBroker): string {
  if (b.httpPort === undefined) throw new Error('no HTTP port');
  return `http://127.0.0.1:${b.httpPort}`;
}

async function start(label: string, viaProxy = false): Promise<DurableTestBroker> {
  let url = await createMigratedDatabase(label);
  if (viaProxy) {
    const direct = new URL(url);
    proxy = await startTcpProxy(Number(direct.port));
    direct.port = String(proxy.port);
    url = direct.toString();
  }
  const started = await startDurableBroker(url, { brokerHttpPort: 0, nodeId: `node-${label}` });
  broker = started;
  return started;
}

async function scrape(b: DurableTestBroker): Promise<PromScrape> {
  const response = await fetch(`${base(b)}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await response.text());
}

describe('broker HTTP endpoints', () => {
  it('GET /metrics scrapes in Prometheus text format, names every metric README.md documents, and its counters move with traffic', async () => {
    const b = await start('metrics');
    const documented = documentedMetricNames(readFileSync(README, 'utf8'), 'mqtt_');
    expect(documented.length).toBeGreaterThan(15);
    const before = await scrape(b);
    for (const name of documented) expect(before.types.has(name), `README metric ${name} is exposed`).toBe(true);
    expect(before.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    expect(before.value('mqtt_publish_received_total', { qos: '1' })).toBe(0);

    const sub = await connectClient(b.url, { clientId: 'm-sub', clean: false, properties: { sessionExpiryInterval: 600 } });
    await sub.subscribeAsync('m/#', { qos: 2 });
    const pub = await connectClient(b.url, { clientId: 'm-pub' });
    let received = 0;
    sub.on('message', () => received++);
    await pub.publishAsync('m/0', 'zero', { qos: 0 });
    await pub.publishAsync('m/1', 'one!', { qos: 1 });
    await pub.publishAsync('m/1', 'one!', { qos: 1 });
    await pub.publishAsync('m/2', 'two', { qos: 2 });
    await pub.publishAsync('$SYS/forbidden', 'x', { qos: 1 }).catch(() => undefined); // refused by the authorizer
    await waitFor(() => received === 4, 5000, 'four deliveries');

    const after = await scrape(b);
    expect(after.value('mqtt_connections')).toBe(2);
    expect(after.value('mqtt_subscriptions')).toBe(1);
    expect(after.value('mqtt_publish_received_total', { qos: '0' })).toBe(1);
    expect(after.value('mqtt_publish_received_total', { qos: '1' })).toBe(3);
    expect(after.value('mqtt_publish_received_total', { qos: '2' })).toBe(1);
    expect(after.value('mqtt_publish_received_bytes_total', { qos: '1' })).toBe(9);
    expect(after.value('mqtt_publish_sent_total', { qos: '1' })).toBe(2);
    expect(after.value('mqtt_publish_sent_bytes_total', { qos: '2' })).toBe(3);
    expect(after.value('mqtt_acl_denied_total', { action: 'publish' })).toBe(1);
    expect(after.value('mqtt_messages_dropped_total', { reason: 'publish-refused' })).toBe(1);
    expect(after.value('mqtt_auth_total', { result: 'success' })).toBe(2);
    expect(after.value('mqtt_bytes_received_total')!).toBeGreaterThan(before.value('mqtt_bytes_received_total')!);
    // Persistent subscriber: durable writes were committed in batches, and timed.
    expect(after.types.get('mqtt_persistence_commit_seconds')).toBe('histogram');
    expect(after.value('mqtt_persistence_batch_size_count')!).toBeGreaterThan(0);
    expect(after.value('mqtt_persistence_commit_seconds_count')!).toBe(after.value('mqtt_persistence_batch_size_count'));
    expect(after.value('mqtt_persistence_up')).toBe(1);
    // Every sample carries the node label.
    expect(after.samples.every((s) => s.labels.node === 'node-metrics')).toBe(true);
  });

  it('GET /healthz answers while the process lives; GET /readyz is 200 with listeners up and Postgres reachable, 503 while Postgres is unreachable', async () => {
    const b = await start('ready', true);
    const healthz = await fetch(`${base(b)}/healthz`);
    expect(healthz.status).toBe(200);
    expect(await healthz.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base(b)}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', ready: true, listeners: 'up', store: 'ok', database: 'ok' });

    await proxy!.cut();
    const down = await fetch(`${base(b)}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 'not-ready', ready: false, listeners: 'up', database: 'unreachable' });
    expect((await fetch(`${base(b)}/healthz`)).status).toBe(200);

    await proxy!.restore();
    let status = 0;
    const deadline = Date.now() + 10000;
    while (status !== 200 && Date.now() < deadline) {
      status = (await fetch(`${base(b)}/readyz`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    expect((await fetch(`${base(b)}/nope`)).status).toBe(404);
  });
});
