import { createMessage, type Message } from '../model/message.js';
import type { DurableState } from '../persistence/durable-state.js';
import type { Will } from './will.js';

/**
 * Delayed Will Messages (3.1.3.2.2, [MQTT-3.1.2-8]): a will is published when its Will Delay
 * Interval has passed or its session ends, whichever is first, and not at all if the client
 * reconnects to the session before then ([MQTT-3.1.3-9]).
 */
export class WillPublisher {
  private readonly pending = new Map<string, { will: Will; username: string | undefined; timer: NodeJS.Timeout; publishAt: number }>();

  constructor(
    private readonly publish: (message: Message) => void,
    private readonly now: () => number = Date.now,
    private readonly durable?: Pick<DurableState, 'willScheduled' | 'willDone'>,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /** Publishes now (delay 0) or schedules the will of a connection that ended abnormally. */
  trigger(clientId: string, username: string | undefined, will: Will, delaySeconds: number): void {
    this.cancel(clientId);
    if (delaySeconds <= 0) {
      this.publish(this.toMessage(clientId, username, will));
      return;
    }
    const publishAt = this.now() + delaySeconds * 1000;
    this.durable?.willScheduled(clientId, username, will, publishAt);
    this.schedule(clientId, username, will, publishAt);
  }

  /** Schedules a will for publishAt (ms since epoch); restore uses it for wills from the store. */
  schedule(clientId: string, username: string | undefined, will: Will, publishAt: number): void {
    const timer = setTimeout(() => this.publishPending(clientId), Math.max(0, publishAt - this.now()));
    timer.unref();
    this.pending.set(clientId, { will, username, timer, publishAt });
  }

  /** The client reconnected to its session in time: the will is not sent. */
  cancel(clientId: string): boolean {
    const entry = this.pending.get(clientId);
    if (!entry) return false;
    clearTimeout(entry.timer);
    this.pending.delete(clientId);
    this.durable?.willDone(clientId);
    return true;
  }

  /** The session ended: a pending will is published now. */
  publishPending(clientId: string): void {
    const entry = this.pending.get(clientId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(clientId);
    this.publish(this.toMessage(clientId, entry.username, entry.will));
    this.durable?.willDone(clientId);
  }

  stop(): void {
    for (const entry of this.pending.values()) clearTimeout(entry.timer);
    this.pending.clear();
  }

  private toMessage(clientId: string, username: string | undefined, will: Will): Message {
    return createMessage({
      topic: will.topic,
      payload: will.payload,
      qos: will.qos,
      retain: will.retain,
      properties: { ...will.properties, ...(will.messageExpiryInterval !== undefined ? { messageExpiryInterval: will.messageExpiryInterval } : {}) },
      publisherClientId: clientId,
      publisherUsername: username,
      now: this.now(),
    });
  }
}
