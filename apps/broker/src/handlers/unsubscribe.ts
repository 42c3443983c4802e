import { isValidSharedSubscription, isValidTopicFilter, parseSharedSubscription } from '@repo/topics';
import type { Connection } from '../connection/connection.js';
import { brokerError } from '../errors.js';
import { unsuback, type UnsubscribePacket } from '../protocol/packets.js';
import { ReasonCode } from '../protocol/reason-codes.js';
import { traceUnsubscribe } from '../tracing/hooks.js';

/** UNSUBSCRIBE: remove each subscription, answer UNSUBACK with a reason code per filter (5.0). */
export function handleUnsubscribe(connection: Connection, packet: UnsubscribePacket): void {
  const ctx = connection.ctx;
  const session = connection.session!;
  // [MQTT-3.10.3-2] an UNSUBSCRIBE must contain at least one topic filter.
  if (packet.unsubscriptions.length === 0) throw brokerError('BROKER_ERR_PROTOCOL', 'UNSUBSCRIBE without topic filters');
  const mark = ctx.durable?.mark() ?? 0;
  const codes = packet.unsubscriptions.map((filter) => {
    const valid = parseSharedSubscription(filter) ? isValidSharedSubscription(filter) : isValidTopicFilter(filter);
    if (!valid) return ReasonCode.TopicFilterInvalid;
    if (!session.subscriptions.delete(filter)) return ReasonCode.NoSubscriptionExisted;
    ctx.router.unsubscribe(session, filter);
    ctx.durable?.subscriptionRemoved(session, filter);
    return ReasonCode.Success;
  });
  if (ctx.tracer.active) traceUnsubscribe(connection, packet.unsubscriptions, codes, packet.messageId);
  // [MQTT-3.10.4-4] / [MQTT-3.10.4-5] UNSUBACK, even when nothing was removed.
  connection.afterCommit(ctx.durable?.commitSince(mark), () => connection.send(unsuback(packet.messageId ?? 0, codes, connection.protocolVersion)));
}
