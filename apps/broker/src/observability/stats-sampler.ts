import type { PrismaClient } from '@repo/db';
import type { Logger } from './logger.js';

/** One reading of a node's numbers; message and byte counters are cumulative since start. */
export interface StatsReading {
  connections: number;
  sessions: number;
  subscriptions: number;
  retained: number;
  queued: number;
  inflight: number;
  dropped: number;
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
}

export interface StatsSource {
  readonly node: string;
  readonly version: string;
  readonly startedAt: number;
  read(): StatsReading;
  /** The node's $SYS tree, topic -> value. */
  sysTopics(): Map<string, string>;
}

export interface StatsSampler {
  /** Takes a sample now (also what the timer does). */
  sample(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Every `intervalMs`, writes a row to stats_samples (with the PUBLISH rates over the interval),
 * replaces the node's row in sys_snapshots, and deletes samples older than `retentionMs`. A
 * failed write is logged and the next tick tries again; ticks never overlap.
 */
export function startStatsSampler(deps: {
  db: Pick<PrismaClient, 'statsSample' | 'sysSnapshot'>;
  source: StatsSource;
  intervalMs: number;
  retentionMs: number;
  log: Logger;
  now?: () => number;
}): StatsSampler {
  const { db, source, log } = deps;
  const now = deps.now ?? Date.now;
  // Counters start at 0 with the node: the first rate is over the time since then.
  let previous = { at: source.startedAt, messagesIn: 0, messagesOut: 0 };
  let running: Promise<void> | undefined;
  let failing = false;

  const write = async (): Promise<void> => {
    const at = now();
    const reading = source.read();
    const seconds = (at - previous.at) / 1000;
    const rate = (current: number, before: number): number => (seconds > 0 ? Math.max(0, current - before) / seconds : 0);
    const messagesInRate = rate(reading.messagesIn, previous.messagesIn);
    const messagesOutRate = rate(reading.messagesOut, previous.messagesOut);
    previous = { at, messagesIn: reading.messagesIn, messagesOut: reading.messagesOut };
    const when = new Date(at);
    await db.statsSample.create({
      data: {
        node: source.node,
        at: when,
        startedAt: new Date(source.startedAt),
        version: source.version,
        connections: reading.connections,
        sessions: reading.sessions,
        subscriptions: reading.subscriptions,
        retained: reading.retained,
        queued: reading.queued,
        inflight: reading.inflight,
        dropped: BigInt(reading.dropped),
        messagesIn: BigInt(reading.messagesIn),
        messagesOut: BigInt(reading.messagesOut),
        bytesIn: BigInt(reading.bytesIn),
        bytesOut: BigInt(reading.bytesOut),
        messagesInRate,
        messagesOutRate,
      },
    });
    const topics = Object.fromEntries(source.sysTopics());
    await db.sysSnapshot.upsert({ where: { node: source.node }, create: { node: source.node, at: when, topics }, update: { at: when, topics } });
    await db.statsSample.deleteMany({ where: { at: { lt: new Date(at - deps.retentionMs) } } });
  };

  const sample = (): Promise<void> => {
    running ??= write()
      .then(
        () => {
          if (failing) log.info('stats sampling works again');
          failing = false;
        },
        (error: unknown) => {
          if (!failing) log.warn({ err: error }, 'could not write a stats sample (retrying every interval)');
          failing = true;
        },
      )
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const timer = setInterval(() => void sample(), deps.intervalMs);
  timer.unref();
  return {
    sample,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
