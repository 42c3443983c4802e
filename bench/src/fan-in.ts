import mqtt, { type MqttClient } from 'mqtt';

export interface FanInOptions {
  url: string;
  publishers: number;
  durationMs: number;
  qos: 0 | 1 | 2;
  payloadBytes: number;
  /** Messages each publisher keeps in flight before waiting (QoS 0: write-buffer batches). */
  window: number;
  /** Called when the measured window starts and ends (e.g. to read the broker's CPU time). */
  onWindow?: (phase: 'start' | 'end') => void;
}

export interface FanInResult {
  scenario: string;
  publishers: number;
  qos: number;
  payloadBytes: number;
  seconds: number;
  sent: number;
  received: number;
  receivedPerSecond: number;
}

function connect(url: string, clientId: string): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { clientId, reconnectPeriod: 0, protocolVersion: 4, clean: true });
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

/**
 * N publishers -> 1 subscriber on a wildcard filter. Publishers send as fast as the broker
 * accepts (QoS 0: until the socket buffer is full, then wait for drain); the figure is messages
 * received per second by the subscriber over the measured window.
 */
export async function runFanIn(options: FanInOptions): Promise<FanInResult> {
  const subscriber = await connect(options.url, `bench-sub-${process.pid}`);
  let received = 0;
  subscriber.on('message', () => {
    received++;
  });
  await subscriber.subscribeAsync('bench/+/data', { qos: options.qos });
  const publishers = await Promise.all(Array.from({ length: options.publishers }, (_, i) => connect(options.url, `bench-pub-${process.pid}-${i}`)));
  const payload = Buffer.alloc(options.payloadBytes, 0x61);
  let sent = 0;
  let running = true;

  const pump = async (client: MqttClient, index: number): Promise<void> => {
    const topic = `bench/${index}/data`;
    while (running) {
      if (options.qos === 0) {
        for (let i = 0; i < options.window && running; i++) {
          client.publish(topic, payload, { qos: 0 });
          sent++;
        }
        // Let the socket drain and the event loop breathe.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const stream = (client as unknown as { stream: { writableLength: number } }).stream;
        while (running && stream.writableLength > 64 * 1024) await new Promise((r) => setTimeout(r, 1));
      } else {
        const batch: Promise<unknown>[] = [];
        for (let i = 0; i < options.window && running; i++) {
          batch.push(client.publishAsync(topic, payload, { qos: options.qos }));
          sent++;
        }
        await Promise.all(batch);
      }
    }
  };

  const warmupMs = Math.min(1000, options.durationMs / 5);
  const pumps = publishers.map((client, i) => pump(client, i));
  await new Promise((r) => setTimeout(r, warmupMs));
  options.onWindow?.('start');
  const startReceived = received;
  const start = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, options.durationMs));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const measured = received - startReceived;
  options.onWindow?.('end');
  running = false;
  await Promise.all(pumps);
  await Promise.all([...publishers, subscriber].map((c) => c.endAsync(true)));
  return {
    scenario: `${options.publishers} publishers -> 1 wildcard subscriber`,
    publishers: options.publishers,
    qos: options.qos,
    payloadBytes: options.payloadBytes,
    seconds: Number(seconds.toFixed(2)),
    sent,
    received: measured,
    receivedPerSecond: Math.round(measured / seconds),
  };
}
