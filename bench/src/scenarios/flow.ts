/**
 * Message flow at QoS 0 from P publishers to S subscribers over one topic pattern, shared by
 * fan-in (P -> 1 on a wildcard), fan-out (1 -> S) and overload (fan-in with no window).
 *
 * Closed loop: publishers keep at most `window` messages outstanding (sent and not yet delivered
 * to every subscriber), so the figure is the broker's sustained rate, not the depth of its
 * buffers. Open loop: publishers write whenever their socket takes more, as fast as TCP allows.
 * Packets are encoded once; each write sends a batch of them.
 */
import { randomBytes } from 'node:crypto';
import { processRssBytes, CpuMeter } from '../proc-stats.js';
import { closeAll, openClient, openClients, sleep, type RawClient } from '../raw-client.js';
import type { Figures, RunContext } from '../scenario.js';
import { PUBLISH, publishPacket, repeat } from '../wire.js';

const BATCH = 20;
/** A publisher whose socket holds more than this waits (closed loop). */
const PUBLISHER_BUFFER = 16 * 1024;

export interface FlowOptions {
  publishers: number;
  subscribers: number;
  /** Topic of publisher i. */
  topic: (i: number) => string;
  filter: string;
  openLoop: boolean;
}

export async function runFlow(context: RunContext, flow: FlowOptions): Promise<Figures> {
  const { broker, options } = context;
  const target = broker.target;
  const tag = randomBytes(4).toString('hex');
  let received = 0;
  const onFrame = (type: number): void => {
    if (type === PUBLISH) received++;
  };
  const subscribers = await openClients(flow.subscribers, 50, (i) => openClient(target, { clientId: `bench-sub-${tag}-${i}`, subscribe: { filter: flow.filter, qos: 0 } }));
  for (const s of subscribers) s.onFrame = onFrame;
  const publishers = await openClients(flow.publishers, 50, (i) => openClient(target, { clientId: `bench-pub-${tag}-${i}` }));
  const payload = Buffer.alloc(options.payloadBytes, 0x61);
  const batches = publishers.map((_, i) => repeat(publishPacket(flow.topic(i), payload), BATCH));
  let running = true;
  let sent = 0;

  if (flow.openLoop) {
    publishers.forEach((publisher, i) => {
      const socket = publisher.socket;
      const batch = batches[i]!;
      const go = (): void => {
        while (running && !socket.destroyed) {
          sent += BATCH;
          if (!socket.write(batch)) return; // wait for 'drain'
        }
      };
      socket.on('drain', go);
      go();
    });
  } else {
    // Outstanding = sent - delivered per subscriber. Messages the broker dropped never arrive:
    // when deliveries stall with the window full, the shortfall is written off.
    let lost = 0;
    let lastReceived = -1;
    let stalledSince = 0;
    let cursor = 0;
    const window = Math.max(options.window, BATCH * 2);
    const pump = (): void => {
      if (!running) return;
      const delivered = Math.floor(received / flow.subscribers);
      for (let tries = 0; tries < publishers.length; tries++) {
        if (sent - delivered - lost + BATCH > window) break;
        const i = cursor;
        cursor = (cursor + 1) % publishers.length;
        const socket = publishers[i]!.socket;
        if (socket.writableLength > PUBLISHER_BUFFER || socket.destroyed) continue;
        socket.write(batches[i]!);
        sent += BATCH;
      }
    };
    for (const s of subscribers) s.afterData = pump;
    for (const p of publishers) p.socket.on('drain', pump);
    const timer = setInterval(() => {
      const now = Date.now();
      if (received !== lastReceived) {
        lastReceived = received;
        stalledSince = now;
      } else if (now - stalledSince > 200) {
        lost = sent - Math.floor(received / flow.subscribers);
        stalledSince = now;
      }
      pump();
    }, 5);
    publishers[0]!.closed.then(() => clearInterval(timer), () => clearInterval(timer));
    pump();
  }

  const warmupMs = Math.min(1000, options.seconds * 200);
  await sleep(warmupMs);
  const rss: number[] = [processRssBytes(broker.pid)];
  const startReceived = received;
  const startSent = sent;
  const cpu = new CpuMeter(broker.pid);
  const sampler = setInterval(() => rss.push(processRssBytes(broker.pid)), 250);
  await sleep(options.seconds * 1000);
  clearInterval(sampler);
  const usage = cpu.read();
  rss.push(processRssBytes(broker.pid));
  const measured = received - startReceived;
  const offered = sent - startSent;
  running = false;
  await closeAll([...publishers, ...subscribers] as RawClient[]);
  const mb = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;
  return {
    deliveredPerSecond: Math.round(measured / usage.seconds),
    publishedPerSecond: Math.round(offered / usage.seconds),
    brokerCpuPercent: usage.brokerCpuPercent,
    generatorCpuPercent: usage.generatorCpuPercent,
    rssStartMB: mb(rss[0]!),
    rssMaxMB: mb(Math.max(...rss)),
    rssEndMB: mb(rss[rss.length - 1]!),
  };
}
