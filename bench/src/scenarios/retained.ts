/**
 * Retained: a publisher stores `retainedTopics` retained messages (one per topic), confirmed by a
 * QoS 1 PUBLISH on the same connection (the broker handles a connection's packets in order);
 * then a new client subscribes to `#` and the clock runs from SUBSCRIBE to the last retained one.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CpuMeter } from '../proc-stats.js';
import { openClient, whenWritable } from '../raw-client.js';
import type { Figures, RunContext } from '../scenario.js';
import { PUBACK, PUBLISH, publishPacket, subscribePacket } from '../wire.js';

const CHUNK = 500;

export async function runRetained(context: RunContext): Promise<Figures> {
  const { broker, options } = context;
  const total = options.retainedTopics;
  const tag = randomBytes(4).toString('hex');
  const payload = Buffer.alloc(options.payloadBytes, 0x72);
  const publisher = await openClient(broker.target, { clientId: `bench-ret-pub-${tag}` });
  const stored = performance.now();
  for (let from = 0; from < total; from += CHUNK) {
    const packets: Buffer[] = [];
    for (let i = from; i < Math.min(total, from + CHUNK); i++) packets.push(publishPacket(`bench/retained/${Math.floor(i / 1000)}/${i}`, payload, 0, true));
    publisher.socket.write(Buffer.concat(packets));
    await whenWritable(publisher.socket);
  }
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('retained: no PUBACK for the confirmation within 120 s')), 120_000);
    publisher.onFrame = (type) => {
      if (type === PUBACK) {
        clearTimeout(timer);
        resolve();
      }
    };
    publisher.socket.write(publishPacket('bench/retained-done', payload, 1, false, 7));
  });
  const storeSeconds = (performance.now() - stored) / 1000;
  await publisher.close();

  const subscriber = await openClient(broker.target, { clientId: `bench-ret-sub-${tag}` });
  let received = 0;
  const cpu = new CpuMeter(broker.pid);
  const started = performance.now();
  let finished = 0;
  let last = started;
  // Bounded: ends when all arrived, after 3 s without one, or after the overall limit.
  const timeoutMs = Math.max(30_000, options.seconds * 12_000);
  await new Promise<void>((resolve) => {
    const limit = setTimeout(done, timeoutMs);
    const idle = setInterval(() => {
      if (performance.now() - last > 3000) done();
    }, 250);
    function done(): void {
      clearTimeout(limit);
      clearInterval(idle);
      resolve();
    }
    subscriber.onFrame = (type, bytes, start) => {
      if (type !== PUBLISH || (bytes[start]! & 1) !== 1) return;
      last = performance.now();
      if (++received === total) {
        finished = last;
        done();
      }
    };
    subscriber.socket.write(subscribePacket('#', 0));
  });
  const usage = cpu.read();
  await subscriber.close();
  return {
    secondsToReceiveAll: finished ? Math.round(((finished - started) / 1000) * 1000) / 1000 : -1,
    retainedReceived: received,
    retainedPerSecond: finished ? Math.round(total / ((finished - started) / 1000)) : 0,
    storeSeconds: Math.round(storeSeconds * 100) / 100,
    brokerCpuPercent: usage.brokerCpuPercent,
    generatorCpuPercent: usage.generatorCpuPercent,
  };
}
