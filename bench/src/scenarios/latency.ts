/**
 * Latency at a fixed rate: one publisher sends `latencyRate` messages/s (QoS 0), each carrying its
 * send time; one subscriber records how long each took. Percentiles over the measured seconds.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CpuMeter } from '../proc-stats.js';
import { closeAll, openClient, percentile, sleep } from '../raw-client.js';
import type { Figures, RunContext } from '../scenario.js';
import { PUBLISH, publishLayout, publishPacket, publishPayloadOffset } from '../wire.js';

export async function runLatency(context: RunContext): Promise<Figures> {
  const { broker, options } = context;
  const tag = randomBytes(4).toString('hex');
  const latencies: number[] = [];
  let measuring = false;
  let received = 0;
  const subscriber = await openClient(broker.target, { clientId: `bench-lat-sub-${tag}`, subscribe: { filter: 'bench/latency', qos: 0 } });
  subscriber.onFrame = (type, bytes, start) => {
    if (type !== PUBLISH) return;
    const latency = performance.now() - bytes.readDoubleLE(publishPayloadOffset(bytes, start));
    if (measuring) {
      latencies.push(latency);
      received++;
    }
  };
  const publisher = await openClient(broker.target, { clientId: `bench-lat-pub-${tag}` });
  const template = publishPacket('bench/latency', Buffer.alloc(Math.max(8, options.payloadBytes), 0x61), 0);
  // QoS 0 has no packet identifier: the payload starts where publishLayout puts the identifier.
  const payloadOffset = publishLayout(template).packetIdOffset;
  const started = performance.now();
  let sent = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) / 1000) * options.latencyRate);
    const count = due - sent;
    if (count <= 0) return;
    const out = Buffer.allocUnsafe(template.length * count);
    for (let k = 0; k < count; k++) {
      template.copy(out, k * template.length);
      out.writeDoubleLE(performance.now(), k * template.length + payloadOffset);
    }
    publisher.socket.write(out);
    sent = due;
  }, 1);
  await sleep(1000);
  measuring = true;
  const sentBefore = sent;
  const cpu = new CpuMeter(broker.pid);
  await sleep(options.latencySeconds * 1000);
  measuring = false;
  const usage = cpu.read();
  const sentMeasured = sent - sentBefore;
  clearInterval(timer);
  await closeAll([publisher, subscriber]);
  latencies.sort((a, b) => a - b);
  const ms = (value: number): number => Math.round(value * 1000) / 1000;
  return {
    latencyP50Ms: ms(percentile(latencies, 50)),
    latencyP99Ms: ms(percentile(latencies, 99)),
    latencyP999Ms: ms(percentile(latencies, 99.9)),
    deliveredPerSecond: Math.round(received / usage.seconds),
    sentPerSecond: Math.round(sentMeasured / usage.seconds),
    brokerCpuPercent: usage.brokerCpuPercent,
    generatorCpuPercent: usage.generatorCpuPercent,
  };
}
