import type { Message, QoS } from '../model/message.js';
import type { Subscription } from '../model/subscription.js';
import type { Delivery, Session } from '../sessions/session.js';
import type { Router } from './router.js';
import { SubscriptionIndex, type SharedGroup, type SubscriptionEntry } from './subscription-index.js';

interface Aggregate {
  session: Session;
  qos: QoS;
  retain: boolean;
  ids: readonly number[];
}

/** Most deliveries carry no Subscription Identifier: they share this array instead of one each. */
const NO_IDENTIFIERS: readonly number[] = Object.freeze([]);

/** Routes within this process, through the subscription index. */
export class LocalRouter implements Router {
  readonly index = new SubscriptionIndex();

  /**
   * onDeliveryError: one subscriber's failure is logged, never thrown at the publisher.
   * mayReceive: the delivery check, asked per matched session, so that an authorization change
   * reaches existing subscriptions.
   */
  constructor(
    private readonly onDeliveryError: (session: Session, error: unknown) => void = () => {},
    private readonly mayReceive: (session: Session, delivery: Delivery) => boolean = () => true,
    /** Told which member of a shared subscription group was chosen (tracing). */
    private readonly onSharedPick: (message: Message, group: SharedGroup, entry: SubscriptionEntry) => void = () => {},
  ) {}

  private deliver(session: Session, delivery: Delivery): void {
    try {
      if (!this.mayReceive(session, delivery)) return;
      session.deliver(delivery);
    } catch (error) {
      this.onDeliveryError(session, error);
    }
  }

  get subscriptionCount(): number {
    return this.index.size;
  }

  subscribe(session: Session, subscription: Subscription): void {
    this.index.add(session, subscription);
  }

  unsubscribe(session: Session, topicFilter: string): boolean {
    return this.index.remove(session, topicFilter);
  }

  unsubscribeAll(session: Session): void {
    this.index.removeAll(session);
  }

  // The route() in progress, read by the two visitors below. They are created once per router,
  // not per message (a closure per PUBLISH showed in profiles). route() saves and restores these
  // fields, since a delivery may route another message before it returns (a will, say).
  private message: Message | null = null;
  private single: Aggregate | undefined = undefined;
  private many: Map<Session, Aggregate> | undefined = undefined;
  private sharedMatched = 0;

  private readonly visitDirect = (entry: SubscriptionEntry): void => {
    const message = this.message!;
    const sub = entry.subscription;
    // [MQTT-3.8.3-3] No Local: not sent back to the publishing connection's session.
    if (sub.noLocal && message.publisherClientId !== undefined && entry.session.clientId === message.publisherClientId) return;
    const qos = (sub.qos < message.qos ? sub.qos : message.qos) as QoS;
    // [MQTT-3.3.1-12] / [MQTT-3.3.1-13] Retain As Published.
    const retain = sub.retainAsPublished && message.retain;
    let agg: Aggregate | undefined;
    const single = this.single;
    if (single && single.session === entry.session) agg = single;
    else if (this.many) agg = this.many.get(entry.session);
    if (!agg) {
      agg = { session: entry.session, qos, retain, ids: NO_IDENTIFIERS };
      if (!single) this.single = agg;
      else {
        if (!this.many) {
          this.many = new Map();
          this.many.set(single.session, single);
        }
        this.many.set(entry.session, agg);
      }
    } else {
      if (qos > agg.qos) agg.qos = qos;
      if (retain) agg.retain = true;
    }
    if (sub.subscriptionIdentifier !== undefined) agg.ids = [...agg.ids, sub.subscriptionIdentifier];
  };

  // Shared subscriptions: one member per group receives each message (4.8.2), at the QoS granted
  // to that member's subscription ([MQTT-4.8.2-3]).
  private readonly visitShared = (group: SharedGroup): void => {
    const entry = group.pick();
    if (!entry) return;
    const message = this.message!;
    this.onSharedPick(message, group, entry);
    const sub = entry.subscription;
    const qos = (sub.qos < message.qos ? sub.qos : message.qos) as QoS;
    this.sharedMatched++;
    this.deliver(entry.session, {
      message,
      qos,
      retain: sub.retainAsPublished && message.retain,
      subscriptionIdentifiers: sub.subscriptionIdentifier !== undefined ? [sub.subscriptionIdentifier] : NO_IDENTIFIERS,
    });
  };

  route(message: Message): number {
    const outerMessage = this.message;
    const outerSingle = this.single;
    const outerMany = this.many;
    const outerShared = this.sharedMatched;
    try {
      // Overlapping subscriptions of one session: delivered once, at the highest QoS, with every
      // Subscription Identifier ([MQTT-3.3.4-2], [MQTT-3.3.4-3], [MQTT-3.3.4-4]).
      this.message = message;
      this.single = undefined;
      this.many = undefined;
      this.index.direct.matchEach(message.topic, this.visitDirect);
      const single = this.single as Aggregate | undefined;
      const many = this.many as Map<Session, Aggregate> | undefined;
      this.single = undefined;
      this.many = undefined;

      let matched = 0;
      if (many) {
        for (const agg of many.values()) {
          this.deliver(agg.session, { message, qos: agg.qos, retain: agg.retain, subscriptionIdentifiers: agg.ids });
          matched++;
        }
      } else if (single) {
        this.deliver(single.session, { message, qos: single.qos, retain: single.retain, subscriptionIdentifiers: single.ids });
        matched++;
      }

      this.message = message;
      this.sharedMatched = 0;
      this.index.shared.matchEach(message.topic, this.visitShared);
      return matched + this.sharedMatched;
    } finally {
      this.message = outerMessage;
      this.single = outerSingle;
      this.many = outerMany;
      this.sharedMatched = outerShared;
    }
  }
}
