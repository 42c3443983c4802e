/**
 * QoS 1 end to end: P publishers, each keeping W messages in flight (a new PUBLISH per PUBACK),
 * to one subscriber that acknowledges every delivery. Each payload carries its send time, so the
 * subscriber measures end-to-end latency. `persistent`: the subscriber has a persistent session
 * (Clean Session 0), which our broker commits to Postgres before PUBACK (durability sync).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CpuMeter } from '../proc-stats.js';
import { closeAll, openClient, openClients, percentile, sleep } from '../raw-client.js';
import type { Figures, RunContext } from '../scenario.js';
import { PUBACK, PUBLISH, publishLayout, publishPacket, publishPacketId, publishPayloadOffset } from '../wire.js';

export async function runQos1(context: RunContext, persistent: boolean): Promise<Figures> {
  const { broker, options } = context;
  const target = broker.target;
  const tag = randomBytes(4).toString('hex');
  const subscriberId = `bench-q1-sub-${tag}`;
  let received = 0;
  let measuring = false;
  const latencies: number[] = [];
  const subscriber = await openClient(target, { clientId: subscriberId, clean: !persistent, subscribe: { filter: 'bench/qos1/+', qos: 1 } });
  let acks: number[] = [];
  subscriber.onFrame = (type, bytes, start) => {
    if (type !== PUBLISH) return;
    received++;
    if (measuring) latencies.push(performance.now() - bytes.readDoubleLE(publishPayloadOffset(bytes, start)));
    if ((bytes[start]! & 0x06) !== 0) acks.push(publishPacketId(bytes, start));
  };
  subscriber.afterData = () => {
    if (acks.length === 0) return;
    const out = Buffer.allocUnsafe(acks.length * 4);
    for (let i = 0; i < acks.length; i++) {
      const id = acks[i]!;
      out[i * 4] = 0x40;
      out[i * 4 + 1] = 2;
      out[i * 4 + 2] = id >> 8;
      out[i * 4 + 3] = id & 0xff;
    }
    acks = [];
    subscriber.socket.write(out);
  };

  const payload = Buffer.alloc(Math.max(8, options.payloadBytes), 0x61);
  const publishers = await openClients(options.qos1Publishers, 50, (i) => openClient(target, { clientId: `bench-q1-pub-${tag}-${i}` }));
  let running = true;
  let acked = 0;
  publishers.forEach((publisher, index) => {
    const template = publishPacket(`bench/qos1/${index}`, payload, 1);
    const { packetIdOffset, payloadOffset } = publishLayout(template);
    let nextId = 1;
    const send = (count: number): void => {
      if (!running || count === 0) return;
      const out = Buffer.allocUnsafe(template.length * count);
      const now = performance.now();
      for (let k = 0; k < count; k++) {
        const at = k * template.length;
        template.copy(out, at);
        out.writeUInt16BE(nextId, at + packetIdOffset);
        nextId = nextId === 65535 ? 1 : nextId + 1;
        out.writeDoubleLE(now, at + payloadOffset);
      }
      publisher.socket.write(out);
    };
    let pending = 0;
    publisher.onFrame = (type) => {
      if (type === PUBACK) {
        acked++;
        pending++;
      }
    };
    publisher.afterData = () => {
      const count = pending;
      pending = 0;
      send(count);
    };
    send(options.qos1Window);
  });

  await sleep(Math.min(1000, options.seconds * 200));
  measuring = true;
  const startReceived = received;
  const startAcked = acked;
  const cpu = new CpuMeter(broker.pid);
  await sleep(options.seconds * 1000);
  const usage = cpu.read();
  measuring = false;
  const measured = received - startReceived;
  const measuredAcks = acked - startAcked;
  running = false;
  await closeAll([...publishers, subscriber]);
  if (persistent) {
    // Clean Session 1 ends the persistent session, so that later rounds do not queue for it.
    const cleaner = await openClient(target, { clientId: subscriberId, clean: true });
    await cleaner.close();
  }
  latencies.sort((a, b) => a - b);
  return {
    messagesPerSecond: Math.round(measured / usage.seconds),
    ackedPerSecond: Math.round(measuredAcks / usage.seconds),
    latencyP50Ms: Math.round(percentile(latencies, 50) * 100) / 100,
    latencyP99Ms: Math.round(percentile(latencies, 99) * 100) / 100,
    brokerCpuPercent: usage.brokerCpuPercent,
    generatorCpuPercent: usage.generatorCpuPercent,
  };
}
