import { loadavg } from 'node:os';
import type { BrokerContext } from '../context.js';
import { createMessage } from '../model/message.js';

/** Exponentially weighted per-minute rates, as Mosquitto's $SYS/broker/load/... topics. */
class LoadAverage {
  private readonly values = { '1min': 0, '5min': 0, '15min': 0 };
  private last: number | undefined;

  update(total: number, intervalSeconds: number): void {
    if (this.last !== undefined) {
      const perMinute = ((total - this.last) / intervalSeconds) * 60;
      for (const [window, minutes] of [['1min', 1], ['5min', 5], ['15min', 15]] as const) {
        const factor = Math.exp(-intervalSeconds / (minutes * 60));
        this.values[window] = this.values[window] * factor + perMinute * (1 - factor);
      }
    }
    this.last = total;
  }

  get(): Record<'1min' | '5min' | '15min', number> {
    return this.values;
  }
}

/**
 * The Mosquitto-compatible $SYS/broker/... tree, published as retained QoS 0 messages every
 * sysInterval seconds. Only the broker publishes here: clients are refused by the authorizer.
 */
export class SysPublisher {
  private timer: NodeJS.Timeout | undefined;
  private last: Map<string, string> | undefined;
  private readonly loads = {
    'messages/received': new LoadAverage(),
    'messages/sent': new LoadAverage(),
    'bytes/received': new LoadAverage(),
    'bytes/sent': new LoadAverage(),
    'publish/received': new LoadAverage(),
    'publish/sent': new LoadAverage(),
    'publish/dropped': new LoadAverage(),
    connections: new LoadAverage(),
  };

  constructor(
    private readonly ctx: BrokerContext,
    private readonly version: string,
  ) {}

  start(): void {
    const interval = this.ctx.config.sysInterval;
    if (interval <= 0) return;
    this.publish();
    this.timer = setInterval(() => this.publish(), interval * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The durable store's health, when the broker has one ('ok' or 'degraded'). */
  private storeTopics(): Array<[string, string]> {
    const health = this.ctx.durable?.health();
    if (!health) return [];
    return [
      ['$SYS/broker/store/state', health.store],
      ['$SYS/broker/store/pending writes', String(health.pendingWrites)],
    ];
  }

  /** The current values of the tree, topic -> text. */
  snapshot(): Map<string, string> {
    const { metrics, sessions, router, retained } = this.ctx;
    const interval = Math.max(1, this.ctx.config.sysInterval);
    this.loads['messages/received'].update(metrics.messagesReceived, interval);
    this.loads['messages/sent'].update(metrics.messagesSent, interval);
    this.loads['bytes/received'].update(metrics.bytesReceived, interval);
    this.loads['bytes/sent'].update(metrics.bytesSent, interval);
    this.loads['publish/received'].update(metrics.publishReceived, interval);
    this.loads['publish/sent'].update(metrics.publishSent, interval);
    this.loads['publish/dropped'].update(metrics.publishDropped, interval);
    this.loads.connections.update(metrics.connectionsTotal, interval);

    const connected = sessions.connectedCount;
    const disconnected = sessions.disconnectedCount;
    const values = new Map<string, string>([
      ['$SYS/broker/version', `mqtt-platform broker ${this.version}`],
      ['$SYS/broker/uptime', `${Math.floor((Date.now() - metrics.startedAt) / 1000)} seconds`],
      ['$SYS/broker/clients/connected', String(connected)],
      ['$SYS/broker/clients/active', String(connected)],
      ['$SYS/broker/clients/disconnected', String(disconnected)],
      ['$SYS/broker/clients/inactive', String(disconnected)],
      ['$SYS/broker/clients/total', String(connected + disconnected)],
      ['$SYS/broker/clients/maximum', String(metrics.clientsMaximum)],
      ['$SYS/broker/clients/expired', String(metrics.clientsExpired)],
      ['$SYS/broker/messages/received', String(metrics.messagesReceived)],
      ['$SYS/broker/messages/sent', String(metrics.messagesSent)],
      ['$SYS/broker/publish/messages/received', String(metrics.publishReceived)],
      ['$SYS/broker/publish/messages/sent', String(metrics.publishSent)],
      ['$SYS/broker/publish/messages/dropped', String(metrics.publishDropped)],
      ['$SYS/broker/bytes/received', String(metrics.bytesReceived)],
      ['$SYS/broker/bytes/sent', String(metrics.bytesSent)],
      ['$SYS/broker/subscriptions/count', String(router.subscriptionCount)],
      ['$SYS/broker/retained messages/count', String(retained.size)],
      ...this.storeTopics(),
      ['$SYS/broker/store/messages/count', String(retained.size)],
    ]);
    for (const [name, load] of Object.entries(this.loads)) {
      for (const [window, value] of Object.entries(load.get())) {
        values.set(`$SYS/broker/load/${name}/${window}`, value.toFixed(2));
      }
    }
    const [l1, l5, l15] = loadavg();
    values.set('$SYS/broker/heap/current', String(process.memoryUsage().heapUsed));
    values.set('$SYS/broker/load/system/1min', (l1 ?? 0).toFixed(2));
    values.set('$SYS/broker/load/system/5min', (l5 ?? 0).toFixed(2));
    values.set('$SYS/broker/load/system/15min', (l15 ?? 0).toFixed(2));
    return values;
  }

  /** The tree last published; computed now when $SYS publishing is off (stats snapshots). */
  latest(): Map<string, string> {
    return this.last ?? this.snapshot();
  }

  publish(): void {
    const now = this.ctx.now();
    const snapshot = this.snapshot();
    this.last = snapshot;
    for (const [topic, value] of snapshot) {
      this.ctx.publish(createMessage({ topic, payload: Buffer.from(value), qos: 0, retain: true, now }));
    }
  }
}
