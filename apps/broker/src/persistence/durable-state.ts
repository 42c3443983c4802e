import type { Message } from '../model/message.js';
import type { Subscription } from '../model/subscription.js';
import type { Logger } from '../observability/logger.js';
import type { Delivery, Session, SessionObserver } from '../sessions/session.js';
import type { Will } from '../sessions/will.js';
import type { DeliveryState, SessionStore, StoredMessage, StoredSessionWill, StoredWill } from './session-store.js';

export type Durability = 'sync' | 'async';

interface MessageRef {
  id: number;
  refs: number;
}

/**
 * The bridge from the broker's memory to its SessionStore: turns state changes into the store's
 * named writes, only for what must outlive the process (persistent sessions, their QoS 1/2
 * deliveries, retained messages, delayed wills). It chooses message and delivery ids, stores a
 * message once while deliveries refer to it (reference counts), and tells handlers what to await:
 * with durability 'sync', `commitSince(mark)` is the commit of every write issued since `mark`.
 */
export class DurableState implements SessionObserver {
  private nextMessageId = 1;
  private nextDeliveryId = 1;
  private readonly messageRefs = new WeakMap<Message, MessageRef>();
  private readonly deliveryIds = new WeakMap<Delivery, number>();
  /** Sessions that have a row in the store. */
  private readonly stored = new WeakSet<Session>();
  private writeCount = 0;
  /** Writes issued and not committed yet (the outage budget counts them). */
  private uncommitted = 0;
  private last: Promise<void> = Promise.resolve();
  readonly syncCommit: boolean;

  constructor(
    readonly store: SessionStore,
    private readonly options: { durability: Durability; nodeId: string; bufferMax: number },
    private readonly log: Logger,
  ) {
    this.syncCommit = options.durability === 'sync';
  }

  /** Continue ids after those already in the store (restore). */
  startIdsAfter(maxMessageId: number, maxDeliveryId: number): void {
    this.nextMessageId = Math.max(this.nextMessageId, maxMessageId + 1);
    this.nextDeliveryId = Math.max(this.nextDeliveryId, maxDeliveryId + 1);
  }

  private track(write: Promise<void>): Promise<void> {
    this.writeCount++;
    this.uncommitted++;
    this.last = write;
    write.then(
      () => this.uncommitted--,
      (error: unknown) => {
        this.uncommitted--;
        this.log.error({ err: error }, 'durable write failed');
      },
    );
    return write;
  }

  /**
   * More writes wait for the store than the buffer allows (Postgres unreachable, or far behind):
   * new QoS 1/2 publications are refused rather than acknowledged without being durable.
   */
  overBudget(): boolean {
    return this.uncommitted >= this.options.bufferMax;
  }

  health(): { store: 'ok' | 'degraded'; pendingWrites: number; bufferMax: number } {
    const store = this.store.health();
    return { store: store.reachable ? 'ok' : 'degraded', pendingWrites: this.uncommitted, bufferMax: this.options.bufferMax };
  }

  /** A position in the write stream; pass it to commitSince. */
  mark(): number {
    return this.writeCount;
  }

  /** With durability 'sync': the commit of the writes issued since `mark`, if any. */
  commitSince(mark: number): Promise<void> | undefined {
    if (!this.syncCommit || this.writeCount === mark) return undefined;
    return this.last;
  }

  // --- sessions ---------------------------------------------------------------------------

  persists(session: Session): boolean {
    return this.stored.has(session);
  }

  /**
   * CONNECT accepted: a persistent session (expiry > 0) gets or refreshes its row, with the
   * connection's will (published at restart if the broker dies while the client is connected).
   */
  sessionAttached(session: Session, will: Will | null = null): void {
    if (session.expiryInterval === 0 && !this.stored.has(session)) return;
    this.stored.add(session);
    this.track(this.store.upsertSession({ ...this.row(session, undefined), will: will ? toStoredSessionWill(will) : undefined }));
  }

  /** Restored from the store: it has a row already. */
  sessionRestored(session: Session): void {
    this.stored.add(session);
  }

  /** The connection ended and the session stays: remember when, for its expiry. */
  sessionDetached(session: Session): void {
    if (!this.stored.has(session)) return;
    this.track(this.store.upsertSession(this.row(session, session.disconnectedAt ?? Date.now())));
  }

  /** The session ended: its row goes, and messages only it referred to. */
  sessionEnded(session: Session): void {
    if (!this.stored.has(session)) return;
    this.stored.delete(session);
    this.track(this.store.deleteSession(session.clientId));
    const release = (delivery: Delivery): void => {
      if (this.deliveryIds.delete(delivery)) this.release(delivery.message);
    };
    for (const entry of session.inflight.values()) release(entry.delivery);
    for (const delivery of session.queue) release(delivery);
  }

  private row(session: Session, disconnectedAt: number | undefined) {
    return {
      clientId: session.clientId,
      expiryInterval: session.expiryInterval,
      protocolVersion: session.protocolVersion,
      username: session.username,
      nodeId: disconnectedAt === undefined ? this.options.nodeId : undefined,
      disconnectedAt,
    };
  }

  subscriptionAdded(session: Session, subscription: Subscription): void {
    if (this.stored.has(session)) this.track(this.store.addSubscription(session.clientId, subscription));
  }

  subscriptionRemoved(session: Session, topicFilter: string): void {
    if (this.stored.has(session)) this.track(this.store.removeSubscription(session.clientId, topicFilter));
  }

  inboundQos2Added(session: Session, packetId: number): void {
    if (this.stored.has(session)) this.track(this.store.addInboundQos2(session.clientId, packetId));
  }

  inboundQos2Removed(session: Session, packetId: number): void {
    if (this.stored.has(session)) this.track(this.store.deleteInboundQos2(session.clientId, packetId));
  }

  // --- deliveries (SessionObserver) ------------------------------------------------------

  deliveryAdded(session: Session, delivery: Delivery): Promise<void> | undefined {
    if (!this.stored.has(session) || delivery.qos === 0) return undefined;
    const messageId = this.acquire(delivery.message);
    const id = this.nextDeliveryId++;
    this.deliveryIds.set(delivery, id);
    return this.track(
      this.store.addDelivery({
        id,
        clientId: session.clientId,
        messageId,
        qos: delivery.qos,
        retain: delivery.retain,
        subscriptionIdentifiers: [...delivery.subscriptionIdentifiers],
        state: 'queued',
        packetId: undefined,
      }),
    );
  }

  deliveryUpdated(session: Session, delivery: Delivery, state: DeliveryState, packetId: number): void {
    const id = this.deliveryIds.get(delivery);
    if (id !== undefined && this.stored.has(session)) this.track(this.store.updateDelivery(session.clientId, id, state, packetId));
  }

  deliveryRemoved(session: Session, delivery: Delivery): void {
    const id = this.deliveryIds.get(delivery);
    if (id === undefined) return;
    this.deliveryIds.delete(delivery);
    if (this.stored.has(session)) this.track(this.store.deleteDelivery(session.clientId, id));
    this.release(delivery.message);
  }

  /** Registers a delivery rebuilt from the store. */
  deliveryRestored(delivery: Delivery, id: number, messageId: number): void {
    this.deliveryIds.set(delivery, id);
    const ref = this.messageRefs.get(delivery.message);
    if (ref) ref.refs++;
    else this.messageRefs.set(delivery.message, { id: messageId, refs: 1 });
  }

  private acquire(message: Message): number {
    const ref = this.messageRefs.get(message);
    if (ref && ref.refs > 0) {
      ref.refs++;
      return ref.id;
    }
    const id = this.nextMessageId++;
    this.messageRefs.set(message, { id, refs: 1 });
    this.track(this.store.addMessage(toStoredMessage(message, id)));
    return id;
  }

  private release(message: Message): void {
    const ref = this.messageRefs.get(message);
    if (!ref) return;
    ref.refs--;
    if (ref.refs <= 0) {
      this.messageRefs.delete(message);
      this.track(this.store.deleteMessage(ref.id));
    }
  }

  // --- retained messages and delayed wills -------------------------------------------------

  retainedChanged(message: Message): void {
    if (message.payload.length === 0) this.track(this.store.deleteRetained(message.topic));
    else this.track(this.store.setRetained(toStoredMessage(message, 0)));
  }

  retainedRemoved(topic: string): void {
    this.track(this.store.deleteRetained(topic));
  }

  willScheduled(clientId: string, username: string | undefined, will: Will, publishAt: number): void {
    const stored: StoredWill = {
      clientId,
      topic: will.topic,
      payload: will.payload,
      qos: will.qos,
      retain: will.retain,
      properties: { ...will.properties, ...(will.messageExpiryInterval !== undefined ? { messageExpiryInterval: will.messageExpiryInterval } : {}) },
      username,
      publishAt,
    };
    this.track(this.store.putWill(stored));
  }

  willDone(clientId: string): void {
    this.track(this.store.deleteWill(clientId));
  }

  /** Waits for every write issued so far. */
  async settle(): Promise<void> {
    await this.last.catch(() => {});
  }
}

export function toStoredMessage(message: Message, id: number): StoredMessage {
  return {
    id,
    topic: message.topic,
    payload: message.payload,
    qos: message.qos,
    retain: message.retain,
    properties: message.properties,
    publisherClientId: message.publisherClientId,
    publisherUsername: message.publisherUsername,
    createdAt: message.createdAt,
    expiresAt: message.expiresAt,
  };
}

export function toStoredSessionWill(will: Will): StoredSessionWill {
  return {
    topic: will.topic,
    payload: will.payload,
    qos: will.qos,
    retain: will.retain,
    properties: { ...will.properties, ...(will.messageExpiryInterval !== undefined ? { messageExpiryInterval: will.messageExpiryInterval } : {}) },
    delayInterval: will.delayInterval,
  };
}
