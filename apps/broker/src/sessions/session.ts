import type { Principal } from '../auth/authenticator.js';
import type { BrokerConfig } from '../config.js';
import type { Message, QoS } from '../model/message.js';
import { isExpired } from '../model/message.js';
import type { Subscription } from '../model/subscription.js';
import type { BrokerMetrics } from '../observability/metrics.js';
import { traceSessionDrop } from '../tracing/hooks.js';
import type { SubjectMatch, Tracer } from '../tracing/tracer.js';
import type { Will } from './will.js';

/** What a session hands its connection: a message, at a QoS, with a retain flag and ids. */
export interface Delivery {
  readonly message: Message;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly subscriptionIdentifiers: readonly number[];
}

/** An outbound QoS 1/2 delivery waiting for its acknowledgement. */
export interface Inflight {
  readonly packetId: number;
  readonly delivery: Delivery;
  /** 'publish': PUBLISH sent, waiting for PUBACK/PUBREC; 'pubrel': PUBREL sent, waiting for PUBCOMP. */
  state: 'publish' | 'pubrel';
  /** Not resent yet on this connection: the resumed window was full ([MQTT-3.3.4-9]). */
  deferred?: boolean;
}

/** The connection as a session sees it: where deliveries go while the client is connected. */
export interface SessionLink {
  /** Outbound window: min(client's Receive Maximum, server's maxInflight). */
  readonly sendQuota: number;
  /** Sends a PUBLISH; false when it was not sent (too large for the client). */
  sendPublish(delivery: Delivery, packetId: number | undefined, dup: boolean): boolean;
  sendPubrel(packetId: number): void;
  /** Bytes waiting in the socket's buffer (slow consumer detection). */
  bufferedBytes(): number;
  /** Backpressure: the queue of this connected session passed its pause mark (publishers should wait). */
  queueGrowing?(): void;
  /** Backpressure: the queue went down (publishers waiting for it may go on). */
  queueShrunk?(): void;
}

/**
 * Who is told about a session's QoS 1/2 deliveries as they are accepted, sent, acknowledged or
 * dropped (the durable store, through persistence/durable-state.ts). `deliveryAdded` returns a
 * promise when the delivery must not be sent before it is committed (durability 'sync').
 */
export interface SessionObserver {
  readonly syncCommit: boolean;
  persists(session: Session): boolean;
  deliveryAdded(session: Session, delivery: Delivery): Promise<void> | undefined;
  deliveryUpdated(session: Session, delivery: Delivery, state: 'inflight' | 'pubrel', packetId: number): void;
  deliveryRemoved(session: Session, delivery: Delivery): void;
}

export type DropReason = 'queue-full' | 'expired' | 'too-large' | 'slow-consumer' | 'qos0-offline';

/** Queue limits a session enforces (from its session policy; see policies/). */
export type SessionLimits = Pick<BrokerConfig, 'maxQueuedMessages' | 'queueQos0' | 'queueDropPolicy' | 'maxWriteBufferBytes'>;

/**
 * An MQTT session: subscriptions, the outbound in-flight window, the queue of messages not yet
 * sent, inbound QoS 2 packet identifiers awaiting PUBREL, and the packet identifier allocator.
 * It outlives its connection when it is persistent.
 */
export class Session {
  readonly subscriptions = new Map<string, Subscription>();
  /** Outbound QoS 1/2 deliveries awaiting acknowledgement, by packet identifier (made on first use: most sessions never have one). */
  get inflight(): Map<number, Inflight> {
    return (this.inflightMap ??= new Map());
  }
  private inflightMap: Map<number, Inflight> | undefined;
  readonly queue: Delivery[] = [];
  /** [MQTT-4.3.3-10] inbound QoS 2 packet identifiers received and not yet released by PUBREL. */
  get inboundQos2(): Set<number> {
    return (this.inboundQos2Set ??= new Set());
  }
  private inboundQos2Set: Set<number> | undefined;
  link: SessionLink | null = null;
  observer: SessionObserver | null = null;
  tracer: Tracer | null = null;
  /** Traces selecting this session's client (tracing/), kept until traces change. */
  traceMatch: SubjectMatch | null = null;
  /** Queued deliveries not committed yet (durability 'sync'): not sent before they are. */
  private holdingSet: Set<Delivery> | undefined;
  will: Will | null = null;
  /** Session Expiry Interval in seconds (0xFFFFFFFF = never). */
  expiryInterval = 0;
  disconnectedAt: number | undefined;
  username: string | undefined;
  /** Who owns the session, as authenticated at its last CONNECT (for the delivery check). */
  principal: Principal | null = null;
  protocolVersion: 3 | 4 | 5 = 4;
  droppedCount = 0;
  readonly createdAt = Date.now();
  private nextPacketId = 1;
  /** In-flight entries waiting to be resent (see Inflight.deferred). */
  private deferredCount = 0;

  constructor(
    readonly clientId: string,
    /** Replaced when the session policy in force changes (policies/apply-session-policy.ts). */
    public config: SessionLimits,
    private readonly metrics: BrokerMetrics,
    private readonly now: () => number = Date.now,
  ) {}

  get connected(): boolean {
    return this.link !== null;
  }

  /** Takes a message matched for this session: send now, queue, or drop (counted). */
  deliver(delivery: Delivery): void {
    const link = this.link;
    if (delivery.qos === 0) {
      if (link) {
        if (link.bufferedBytes() > this.config.maxWriteBufferBytes) return this.drop('slow-consumer', delivery);
        // [MQTT-3.1.2-25] too large for the client: discarded, and counted like every drop.
        if (!link.sendPublish(delivery, undefined, false)) this.drop('too-large', delivery);
        return;
      }
      if (!this.config.queueQos0) return this.drop('qos0-offline', delivery);
      this.enqueue(delivery);
      return;
    }
    const observer = this.observer?.persists(this) ? this.observer : null;
    if (link && this.queue.length === 0 && this.inflight.size < link.sendQuota && !observer?.syncCommit) {
      observer?.deliveryAdded(this, delivery);
      this.sendInflight(link, delivery);
      return;
    }
    if (!this.enqueue(delivery)) return;
    if (link && this.queue.length >= this.pauseAt) link.queueGrowing?.();
    const commit = observer?.deliveryAdded(this, delivery);
    if (commit) {
      // Stored before it is sent: a message acknowledged to its publisher is never delivered
      // ahead of its commit (which a crash could undo, and a QoS 2 resend would then duplicate).
      (this.holdingSet ??= new Set()).add(delivery);
      const release = (): void => {
        this.holdingSet?.delete(delivery);
        this.drain();
      };
      commit.then(release, release);
    }
  }

  /** Queues a delivery within the queue limit; false when it was dropped. */
  private enqueue(delivery: Delivery): boolean {
    if (this.queue.length >= this.config.maxQueuedMessages) {
      if (this.config.queueDropPolicy === 'drop-new' || this.config.maxQueuedMessages === 0) {
        this.drop('queue-full', delivery);
        return false;
      }
      const oldest = this.queue.shift()!;
      this.forget(oldest);
      this.drop('queue-full', oldest);
    }
    this.queue.push(delivery);
    return true;
  }

  /** A delivery leaves the session without being completed (dropped, expired). */
  private forget(delivery: Delivery): void {
    this.holdingSet?.delete(delivery);
    this.observer?.deliveryRemoved(this, delivery);
  }

  private drop(reason: DropReason, delivery: Delivery): void {
    if (this.tracer?.active) traceSessionDrop(this.tracer, this, delivery, reason);
    this.droppedCount++;
    this.metrics.publishDropped++;
    this.metrics.droppedByReason[reason]++;
  }

  private sendInflight(link: SessionLink, delivery: Delivery): void {
    const packetId = this.allocatePacketId();
    if (packetId === undefined) {
      this.queue.unshift(delivery);
      return;
    }
    if (!link.sendPublish(delivery, packetId, false)) {
      // [MQTT-3.1.2-25] too large for the client: discarded as if it had been delivered.
      this.forget(delivery);
      this.drop('too-large', delivery);
      return;
    }
    this.inflight.set(packetId, { packetId, delivery, state: 'publish' });
    this.observer?.deliveryUpdated(this, delivery, 'inflight', packetId);
  }

  /** Queue length past which a connected session asks publishers to wait (half the queue limit, at most 100). */
  get pauseAt(): number {
    return Math.max(1, Math.min(100, this.config.maxQueuedMessages >> 1));
  }

  /** Next free packet identifier (1..65535), skipping those in use; undefined if all are in use. */
  allocatePacketId(): number | undefined {
    for (let i = 0; i < 65535; i++) {
      const id = this.nextPacketId;
      this.nextPacketId = id === 65535 ? 1 : id + 1;
      if (!this.inflight.has(id)) return id;
    }
    return undefined;
  }

  /** Sends queued messages while the in-flight window has room. */
  drain(): void {
    const link = this.link;
    if (!link) return;
    // Resends held back on resumption go first, in order, as the window allows ([MQTT-3.3.4-9]).
    if (this.deferredCount > 0) {
      for (const entry of this.inflight.values()) {
        if (!entry.deferred) continue;
        if (this.inflight.size - this.deferredCount >= link.sendQuota) return;
        this.undefer(entry);
        this.resend(link, entry);
      }
    }
    const now = this.now();
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (isExpired(head.message, now)) {
        this.queue.shift();
        this.forget(head);
        this.drop('expired', head);
        continue;
      }
      if (head.qos === 0) {
        this.queue.shift();
        if (link.bufferedBytes() > this.config.maxWriteBufferBytes) this.drop('slow-consumer', head);
        else if (!link.sendPublish(head, undefined, false)) this.drop('too-large', head);
        continue;
      }
      if (this.inflight.size >= link.sendQuota || this.holdingSet?.has(head)) break;
      this.queue.shift();
      this.sendInflight(link, head);
    }
    if (this.queue.length < this.pauseAt >> 1 || this.queue.length === 0) link.queueShrunk?.();
  }

  /** PUBACK (QoS 1) or PUBCOMP (QoS 2) completes a delivery. Returns false if the id is unknown. */
  complete(packetId: number, expected: 'publish' | 'pubrel'): boolean {
    const entry = this.inflight.get(packetId);
    if (!entry || entry.state !== expected) return false;
    if (expected === 'publish' && entry.delivery.qos !== 1) return false;
    this.undefer(entry);
    this.inflight.delete(packetId);
    this.observer?.deliveryRemoved(this, entry.delivery);
    this.drain();
    return true;
  }

  /** PUBREC: the QoS 2 delivery moves to PUBREL. A PUBREC with an error reason code ends it. */
  received(packetId: number, failed: boolean): boolean {
    const entry = this.inflight.get(packetId);
    if (!entry || entry.delivery.qos !== 2) return false;
    this.undefer(entry);
    if (failed) {
      this.inflight.delete(packetId);
      this.observer?.deliveryRemoved(this, entry.delivery);
      this.drain();
      return true;
    }
    if (entry.state !== 'pubrel') {
      entry.state = 'pubrel';
      this.observer?.deliveryUpdated(this, entry.delivery, 'pubrel', packetId);
    }
    return true;
  }

  /**
   * On (re)connection of a persistent session: [MQTT-4.4.0-1] resend unacknowledged PUBLISH
   * packets with DUP set and PUBREL packets, in their original order, then drain the queue.
   * PUBLISH resends beyond the new connection's Receive Maximum wait for free slots
   * ([MQTT-3.3.4-9]); every entry, PUBREL ones included, counts as outstanding.
   */
  resume(link: SessionLink): void {
    this.link = link;
    this.disconnectedAt = undefined;
    const now = this.now();
    let outstanding = 0;
    const inflight = this.inflightMap;
    if (inflight) for (const entry of inflight.values()) if (entry.state === 'pubrel') outstanding++;
    this.deferredCount = 0;
    if (inflight) for (const entry of inflight.values()) {
      entry.deferred = false;
      if (entry.state === 'pubrel') {
        link.sendPubrel(entry.packetId);
      } else if (isExpired(entry.delivery.message, now) && entry.delivery.qos === 1) {
        this.inflight.delete(entry.packetId);
        this.forget(entry.delivery);
        this.drop('expired', entry.delivery);
      } else if (outstanding >= link.sendQuota) {
        entry.deferred = true;
        this.deferredCount++;
      } else if (this.resend(link, entry)) {
        outstanding++;
      }
    }
    this.drain();
  }

  /** Resends an in-flight PUBLISH with DUP 1; one now too large for the client is discarded ([MQTT-3.1.2-25]). */
  private resend(link: SessionLink, entry: Inflight): boolean {
    if (link.sendPublish(entry.delivery, entry.packetId, true)) return true;
    this.inflight.delete(entry.packetId);
    this.forget(entry.delivery);
    this.drop('too-large', entry.delivery);
    return false;
  }

  private undefer(entry: Inflight): void {
    if (!entry.deferred) return;
    entry.deferred = false;
    this.deferredCount--;
  }

  /** Restore: a delivery that was queued when the broker stopped. */
  restoreQueued(delivery: Delivery): void {
    this.queue.push(delivery);
  }

  /** Restore: a delivery that was in flight; resent with DUP (or PUBREL) on resumption. */
  restoreInflight(packetId: number, delivery: Delivery, state: 'publish' | 'pubrel'): void {
    this.inflight.set(packetId, { packetId, delivery, state });
    if (packetId >= this.nextPacketId) this.nextPacketId = packetId === 65535 ? 1 : packetId + 1;
  }

  detach(now: number): void {
    this.link = null;
    this.disconnectedAt = now;
  }

  /** Messages waiting: queued plus unacknowledged. */
  get pendingCount(): number {
    return this.queue.length + (this.inflightMap?.size ?? 0);
  }
}
