import { isValidSharedSubscription, isValidTopicFilter, parseSharedSubscription } from '@repo/topics';
import type { Connection } from '../connection/connection.js';
import { brokerError } from '../errors.js';
import type { QoS } from '../model/message.js';
import type { RetainHandling, Subscription } from '../model/subscription.js';
import { suback, type SubscribePacket } from '../protocol/packets.js';
import { ReasonCode, toSubackReturnCode } from '../protocol/reason-codes.js';
import { traceSubscribe } from '../tracing/hooks.js';
import type { Delivery, Session } from '../sessions/session.js';

const MAX_SUBSCRIPTION_IDENTIFIER = 268435455;

/**
 * SUBSCRIBE: validate each filter -> authorize -> grant a QoS -> store in the session and the
 * router -> SUBACK -> send retained messages as Retain Handling says.
 */
export function handleSubscribe(connection: Connection, packet: SubscribePacket): void {
  const ctx = connection.ctx;
  const session = connection.session!;
  const v5 = connection.protocolVersion === 5;
  const rawId = packet.properties?.subscriptionIdentifier as number | number[] | undefined;
  if (Array.isArray(rawId)) throw brokerError('BROKER_ERR_PROTOCOL', 'more than one Subscription Identifier');
  // 3.8.2.1.2: a Subscription Identifier of 0 is a protocol error.
  if (rawId !== undefined && (rawId < 1 || rawId > MAX_SUBSCRIPTION_IDENTIFIER)) {
    throw brokerError('BROKER_ERR_PROTOCOL', `subscription identifier ${rawId} out of range`);
  }
  // [MQTT-3.8.3-2] a SUBSCRIBE must contain at least one topic filter.
  if (packet.subscriptions.length === 0) throw brokerError('BROKER_ERR_PROTOCOL', 'SUBSCRIBE without topic filters');

  const mark = ctx.durable?.mark() ?? 0;
  const granted: number[] = [];
  const accepted: Array<{ subscription: Subscription; existed: boolean; shared: boolean }> = [];
  for (const request of packet.subscriptions) {
    const filter = request.topic;
    const shared = parseSharedSubscription(filter) !== null;
    const valid = shared ? isValidSharedSubscription(filter) : isValidTopicFilter(filter);
    if (!valid) {
      granted.push(v5 ? ReasonCode.TopicFilterInvalid : 0x80);
      continue;
    }
    const noLocal = request.nl === true;
    // [MQTT-3.8.3-4] No Local on a shared subscription is a protocol error.
    if (shared && noLocal) throw brokerError('BROKER_ERR_PROTOCOL', 'No Local on a shared subscription');
    if (!ctx.authorizer.canSubscribe(connection.principal!, filter, request.qos)) {
      ctx.metrics.aclDeniedSubscribe++;
      ctx.log.info({ clientId: connection.clientId, filter }, 'subscribe not authorized');
      granted.push(v5 ? ReasonCode.NotAuthorized : 0x80);
      continue;
    }
    const qos = Math.min(request.qos, ctx.config.maximumQos) as QoS;
    const subscription: Subscription = {
      topicFilter: filter,
      qos,
      noLocal,
      retainAsPublished: request.rap === true,
      retainHandling: (request.rh ?? 0) as RetainHandling,
      subscriptionIdentifier: rawId,
    };
    const existed = session.subscriptions.has(filter);
    session.subscriptions.set(filter, subscription);
    ctx.router.subscribe(session, subscription);
    ctx.durable?.subscriptionAdded(session, subscription);
    accepted.push({ subscription, existed, shared });
    granted.push(qos);
  }

  if (ctx.tracer.active) traceSubscribe(connection, packet, granted);
  // A persistent session's subscriptions are committed before SUBACK.
  connection.afterCommit(ctx.durable?.commitSince(mark), () => {
    connection.send(suback(packet.messageId ?? 0, v5 ? granted : granted.map(toSubackReturnCode)));
    queueRetained(connection, accepted);
  });
}

/** Retained messages for new subscriptions, after SUBACK. */
function queueRetained(connection: Connection, accepted: Array<{ subscription: Subscription; existed: boolean; shared: boolean }>): void {
  const ctx = connection.ctx;
  const session = connection.session!;
  const now = ctx.now();
  const deliveries: Delivery[] = [];
  for (const { subscription, existed, shared } of accepted) {
    // [MQTT-3.3.1-9] / [MQTT-3.3.1-10] / [MQTT-3.3.1-11] / [MQTT-3.8.4-4]: retained messages per Retain
    // Handling; none for shared subscriptions (3.3.1.3: only a new Non-shared Subscription gets them).
    if (shared || subscription.retainHandling === 2) continue;
    if (subscription.retainHandling === 1 && existed) continue;
    for (const message of ctx.retained.match(subscription.topicFilter, now)) {
      deliveries.push({
        message,
        qos: (subscription.qos < message.qos ? subscription.qos : message.qos) as QoS,
        // 3.3.1.3: retained messages sent because of a new subscription carry RETAIN 1.
        retain: true,
        subscriptionIdentifiers: subscription.subscriptionIdentifier !== undefined ? [subscription.subscriptionIdentifier] : [],
      });
    }
  }
  deliverRetained(connection, session, deliveries, 0);
}

/**
 * Delivers retained messages in order, pausing while the connection's buffer is past its
 * backpressure mark: a subscription to `#` over many retained topics is paced by the client's
 * reading, instead of being written in one burst whose tail the slow-consumer rule would drop.
 */
function deliverRetained(connection: Connection, session: Session, deliveries: Delivery[], from: number): void {
  for (let i = from; i < deliveries.length; i++) {
    if (connection.state === 'closed' || connection.session !== session) return;
    if (connection.isBackedUp()) {
      connection.onceWritable(() => deliverRetained(connection, session, deliveries, i));
      return;
    }
    session.deliver(deliveries[i]!);
  }
}
