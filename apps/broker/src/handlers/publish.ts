import { isUtf8 } from 'node:buffer';
import { isValidTopicName } from '@repo/topics';
import type { Connection } from '../connection/connection.js';
import { brokerError } from '../errors.js';
import { createMessage } from '../model/message.js';
import { puback, pubrec, type PublishPacket } from '../protocol/packets.js';
import { ReasonCode } from '../protocol/reason-codes.js';
import { tracePublishReceived, tracePublishRefused, traceRouted } from '../tracing/hooks.js';

/**
 * PUBLISH from a client: check QoS and retain against what the server offers -> resolve the
 * topic alias -> validate the topic name -> enforce Receive Maximum -> de-duplicate QoS 2 ->
 * authorize -> retain and route -> (commit what must be durable) -> acknowledge.
 */
export function handlePublish(connection: Connection, packet: PublishPacket): void {
  const ctx = connection.ctx;
  const config = ctx.config;
  const session = connection.session!;
  const v5 = connection.protocolVersion === 5;
  const qos = packet.qos;
  const packetId = packet.messageId ?? 0;
  ctx.metrics.publishReceived++;
  ctx.metrics.publishReceivedByQos[qos]++;

  // [MQTT-3.2.2-11] QoS above Maximum QoS: DISCONNECT 0x9B.
  if (qos > config.maximumQos) throw brokerError('BROKER_ERR_QOS_NOT_SUPPORTED', `QoS ${qos} not supported`);
  // [MQTT-3.2.2-14] retain when Retain Available is 0: DISCONNECT 0x9A.
  if (packet.retain && !config.retainAvailable) throw brokerError('BROKER_ERR_RETAIN_NOT_SUPPORTED', 'retain not supported');

  const topic = resolveTopic(connection, packet);
  // [MQTT-3.3.2-2] no wildcards in a topic name; [MQTT-4.7.3-1] not empty.
  if (!isValidTopicName(topic)) throw brokerError('BROKER_ERR_TOPIC_NAME_INVALID', `invalid topic name ${JSON.stringify(topic)}`);

  if (qos === 2 && session.inboundQos2.has(packetId)) {
    // [MQTT-4.3.3-10] a retransmitted QoS 2 PUBLISH is acknowledged again, not delivered again.
    connection.afterCommit(undefined, () => connection.send(pubrec(packetId)));
    return;
  }
  // [MQTT-3.3.4-7] more unacknowledged QoS 2 publications than Receive Maximum: DISCONNECT 0x93.
  if (qos === 2 && v5 && session.inboundQos2.size >= config.receiveMaximum) {
    throw brokerError('BROKER_ERR_RECEIVE_MAXIMUM_EXCEEDED', `more than ${config.receiveMaximum} QoS 2 publications awaiting PUBREL`);
  }

  const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
  ctx.metrics.publishBytesReceivedByQos[qos] += payload.length;
  const properties = packet.properties;

  // 3.3.2.3.2: Payload Format Indicator 1 promises UTF-8: refuse a payload that is not.
  if (v5 && properties?.payloadFormatIndicator && !isUtf8(payload)) {
    return refuse(connection, packet, topic, ReasonCode.PayloadFormatInvalid, 'payload is not UTF-8');
  }

  if (!ctx.authorizer.canPublish(connection.principal!, topic, qos, packet.retain)) {
    ctx.log.info({ clientId: connection.clientId, topic }, 'publish not authorized');
    ctx.metrics.aclDeniedPublish++;
    // 3.1.1 cannot say no in a PUBACK; optionally the connection is closed instead.
    if (!v5 && ctx.config.deniedPublishDisconnectV3) throw brokerError('BROKER_ERR_NOT_AUTHORIZED', `publish to ${topic} not authorized`);
    return refuse(connection, packet, topic, ReasonCode.NotAuthorized, 'not authorized');
  }

  const durable = ctx.durable;
  if (qos > 0 && durable?.overBudget()) {
    // The store is unreachable beyond the write budget: refuse rather than acknowledge what
    // could not be made durable. 3.1.1 has no reason code: close, the client retries later.
    if (!v5) throw brokerError('BROKER_ERR_SERVER_UNAVAILABLE', 'durable store unavailable');
    return refuse(connection, packet, topic, ReasonCode.QuotaExceeded, 'durable store unavailable');
  }

  const message = createMessage({
    topic,
    payload,
    qos,
    retain: packet.retain,
    properties,
    publisherClientId: connection.clientId,
    publisherUsername: connection.principal?.username,
    now: ctx.now(),
  });
  const mark = durable?.mark() ?? 0;
  if (ctx.tracer.active) tracePublishReceived(connection, message, packet);
  const matched = ctx.publish(message);
  if (ctx.tracer.active) traceRouted(connection, message, matched);
  if (qos === 2) {
    session.inboundQos2.add(packetId);
    durable?.inboundQos2Added(session, packetId);
  }
  if (qos === 0) return;

  // Durability contract: a message that matched a persistent session is committed (with the
  // deliveries and the inbound QoS 2 id) before PUBACK/PUBREC; the batch is shared (group commit).
  const reasonCode = v5 && matched === 0 ? ReasonCode.NoMatchingSubscribers : ReasonCode.Success;
  connection.afterCommit(durable?.commitSince(mark), () => connection.send(qos === 1 ? puback(packetId, reasonCode) : pubrec(packetId, reasonCode)));
}

/** Topic Alias (5.0): learn or look up the topic for an alias ([MQTT-3.3.2-12]). */
function resolveTopic(connection: Connection, packet: PublishPacket): string {
  const alias = packet.properties?.topicAlias;
  if (alias === undefined) {
    if (packet.topic === '') throw brokerError('BROKER_ERR_PROTOCOL', 'empty topic name without a topic alias');
    return packet.topic;
  }
  if (connection.protocolVersion !== 5) throw brokerError('BROKER_ERR_PROTOCOL', 'topic alias in 3.1.1');
  // [MQTT-3.3.2-8] / [MQTT-3.3.2-9] alias 0 or above Topic Alias Maximum: DISCONNECT 0x94.
  if (alias === 0 || alias > connection.ctx.config.topicAliasMaximum) {
    throw brokerError('BROKER_ERR_TOPIC_ALIAS_INVALID', `topic alias ${alias} out of range`);
  }
  if (packet.topic !== '') {
    connection.inboundAliases.set(alias, packet.topic);
    return packet.topic;
  }
  const topic = connection.inboundAliases.get(alias);
  if (topic === undefined) throw brokerError('BROKER_ERR_PROTOCOL', `unknown topic alias ${alias}`);
  return topic;
}

/** A publication the broker will not route: 5.0 gets the reason code, 3.1.1 a plain ack. */
function refuse(connection: Connection, packet: PublishPacket, topic: string, reasonCode: number, why: string): void {
  const qos = packet.qos;
  const packetId = packet.messageId ?? 0;
  if (connection.ctx.tracer.active) tracePublishRefused(connection, packet, topic, reasonCode);
  connection.ctx.metrics.publishDropped++;
  connection.ctx.log.debug({ clientId: connection.clientId, reasonCode }, `publication refused: ${why}`);
  const v5 = connection.protocolVersion === 5;
  const durable = connection.ctx.durable;
  const mark = durable?.mark() ?? 0;
  if (qos === 2 && !v5) {
    connection.session!.inboundQos2.add(packetId);
    durable?.inboundQos2Added(connection.session!, packetId);
  }
  if (qos === 0) return;
  const commit = durable?.commitSince(mark);
  connection.afterCommit(commit, () => connection.send(qos === 1 ? puback(packetId, v5 ? reasonCode : 0) : pubrec(packetId, v5 ? reasonCode : 0)));
}
