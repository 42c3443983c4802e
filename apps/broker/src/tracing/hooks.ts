/**
 * The calls the broker's handlers make into tracing, each behind `if (ctx.tracer.active)`, so
 * that with no trace running the hot path pays one boolean test. Every function here turns what
 * a handler knows into events of the traces that select it.
 */
import { filtersOverlap } from '@repo/acl';
import { parseSharedSubscription } from '@repo/topics';
import type { Connection } from '../connection/connection.js';
import type { Message, MessageProperties } from '../model/message.js';
import type { ConnectPacket, DisconnectPacket, PublishPacket, SubscribePacket } from '../protocol/packets.js';
import { ReasonCode } from '../protocol/reason-codes.js';
import type { SharedGroup, SubscriptionEntry } from '../routing/subscription-index.js';
import type { Delivery, DropReason, Session } from '../sessions/session.js';
import { createMessageId } from './message-id.js';
import { payloadPreview } from './payload-preview.js';
import { reasonName } from './reason-names.js';
import type { TraceDropReason, TraceEventFields } from './trace-event.js';
import type { ActiveTrace } from './trace-spec.js';
import type { MessageTrace, Tracer } from './tracer.js';

type Fields = Partial<TraceEventFields> & Pick<TraceEventFields, 'type'>;

function fields(f: Fields): TraceEventFields {
  return {
    type: f.type,
    clientId: f.clientId ?? null,
    username: f.username ?? null,
    messageId: f.messageId ?? null,
    topic: f.topic ?? null,
    qos: f.qos ?? null,
    packetId: f.packetId ?? null,
    reason: f.reason ?? null,
    detail: f.detail ?? {},
  };
}

/** Traces selecting a connection (cached per connection until the traces change). */
export function connectionTraces(connection: Connection): readonly ActiveTrace[] {
  const tracer = connection.ctx.tracer;
  return (
    tracer.cachedTraces(connection) ??
    tracer.matchSubject(connection, { clientId: connection.clientId, username: connection.principal?.username, ip: connection.remoteAddress })
  );
}

/** Traces selecting a session's client, connected or not. */
export function sessionTraces(tracer: Tracer, session: Session): readonly ActiveTrace[] {
  return tracer.cachedTraces(session) ?? tracer.matchSubject(session, { clientId: session.clientId, username: session.username, ip: tracer.sessionAddress(session) });
}

/** Events without a topic (CONNECT, DISCONNECT...) belong to traces that select connections. */
function connectionLevel(traces: readonly ActiveTrace[]): readonly ActiveTrace[] {
  return traces.some((t) => !t.selectsConnections) ? traces.filter((t) => t.selectsConnections) : traces;
}

function onTopic(traces: readonly ActiveTrace[], topic: string): readonly ActiveTrace[] {
  return traces.every((t) => t.topicFilter === undefined) ? traces : traces.filter((t) => t.matchesTopic(topic));
}

function connectDetail(connection: Connection, packet: ConnectPacket): Record<string, unknown> {
  return {
    protocolVersion: packet.protocolVersion ?? 4,
    cleanStart: packet.clean !== false,
    keepAlive: packet.keepalive ?? 0,
    ip: connection.remoteAddress,
    transport: connection.transport.kind,
    ...(packet.will ? { will: { topic: packet.will.topic, qos: packet.will.qos ?? 0, retain: packet.will.retain ?? false } } : {}),
    ...(packet.properties?.sessionExpiryInterval !== undefined ? { sessionExpiryInterval: packet.properties.sessionExpiryInterval } : {}),
  };
}

/** CONNECT refused (authentication, bans...): CONNECT and CONNACK with the reason. */
export function traceConnectRefused(connection: Connection, packet: ConnectPacket, clientId: string, reasonCode: number): void {
  const tracer = connection.ctx.tracer;
  const subject = { clientId, username: packet.username, ip: connection.remoteAddress };
  const traces = tracer.running.filter((t) => t.selectsConnections && t.matchesSubject(subject));
  const base = { clientId, username: packet.username };
  tracer.record(traces, fields({ ...base, type: 'connect', detail: connectDetail(connection, packet) }));
  tracer.record(traces, fields({ ...base, type: 'connack', reason: reasonName(reasonCode), detail: { reasonCode } }));
}

/** CONNECT accepted: CONNECT and CONNACK (success, session present). */
export function traceConnected(connection: Connection, packet: ConnectPacket, sessionPresent: boolean): void {
  const tracer = connection.ctx.tracer;
  tracer.forgetSubject(connection);
  if (connection.session) tracer.setSessionAddress(connection.session, connection.remoteAddress);
  const traces = connectionLevel(connectionTraces(connection));
  const base = { clientId: connection.clientId, username: connection.principal?.username };
  tracer.record(traces, fields({ ...base, type: 'connect', detail: connectDetail(connection, packet) }));
  tracer.record(traces, fields({ ...base, type: 'connack', reason: 'success', detail: { reasonCode: 0, sessionPresent } }));
}

/** A protocol error closes the connection: CONNACK with the reason while connecting, else DISCONNECT by the server. */
export function traceConnectionError(connection: Connection, reasonCode: number, code: string, message: string): void {
  if (!connection.clientId) return; // before CONNECT was read there is nothing to match
  const tracer = connection.ctx.tracer;
  const traces = connectionLevel(connectionTraces(connection));
  const type = connection.state === 'connected' ? 'disconnect' : 'connack';
  tracer.record(traces, fields({ clientId: connection.clientId, username: connection.principal?.username, type, reason: reasonName(reasonCode), detail: { by: 'server', reasonCode, code, message } }));
}

function propertiesDetail(properties: MessageProperties): Record<string, unknown> | undefined {
  const keys = Object.keys(properties);
  if (keys.length === 0) return undefined;
  const { correlationData, ...rest } = properties;
  return { ...rest, ...(correlationData ? { correlationData: correlationData.toString('base64') } : {}) };
}

/** PUBLISH received and accepted: the message gets its id; the traces that select it record it. */
export function tracePublishReceived(connection: Connection, message: Message, packet: PublishPacket): void {
  const tracer = connection.ctx.tracer;
  const selected = connectionTraces(connection);
  if (selected.length === 0) return;
  const traces = onTopic(selected, message.topic);
  const info = tracer.traceMessage(message, traces);
  if (!info) return;
  const packetId = packet.messageId ?? null;
  if (message.qos === 2 && packetId !== null && connection.session) tracer.awaitPubrel(connection.session, packetId, info);
  const properties = propertiesDetail(message.properties);
  for (const trace of traces) {
    const preview = payloadPreview(message.payload, trace.spec.payloadCaptureBytes, trace.spec.payloadEncoding);
    tracer.record(
      [trace],
      fields({
        type: 'publish_received',
        clientId: connection.clientId,
        username: connection.principal?.username,
        messageId: info.id,
        topic: message.topic,
        qos: message.qos,
        packetId,
        detail: {
          retain: message.retain,
          dup: packet.dup === true,
          size: message.payload.length,
          ...(properties ? { properties } : {}),
          ...(message.expiresAt !== undefined ? { expiresAt: new Date(message.expiresAt).toISOString() } : {}),
          ...(preview !== null ? { payload: preview, payloadEncoding: trace.spec.payloadEncoding, payloadTruncated: message.payload.length > trace.spec.payloadCaptureBytes } : {}),
        },
      }),
    );
  }
}

/** After routing: how many sessions matched, which shared members were chosen; no match is a drop. */
export function traceRouted(connection: Connection, message: Message, matched: number): void {
  const tracer = connection.ctx.tracer;
  if (connectionTraces(connection).length === 0) return; // not selected at receipt: no message trace
  const info = tracer.messageTrace(message);
  if (!info || info.traces.length === 0) return;
  const base = { clientId: connection.clientId, username: connection.principal?.username, messageId: info.id, topic: message.topic, qos: message.qos };
  tracer.record(info.traces, fields({ ...base, type: 'routed', detail: { matched, shared: info.shared ?? [] } }));
  if (matched === 0) tracer.record(info.traces, fields({ ...base, type: 'drop', reason: 'no_subscribers' satisfies TraceDropReason }));
}

const REFUSAL_REASONS: Record<number, TraceDropReason> = {
  [ReasonCode.NotAuthorized]: 'acl_denied',
  [ReasonCode.PayloadFormatInvalid]: 'payload_format_invalid',
  [ReasonCode.QuotaExceeded]: 'quota_exceeded',
};

/** A PUBLISH the broker refused (ACL denial...): received, then dropped with the reason. */
export function tracePublishRefused(connection: Connection, packet: PublishPacket, topic: string, reasonCode: number): void {
  const tracer = connection.ctx.tracer;
  const traces = onTopic(connectionTraces(connection), topic);
  if (traces.length === 0) return;
  const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
  const base = {
    clientId: connection.clientId,
    username: connection.principal?.username,
    messageId: createMessageId(tracer.now()),
    topic,
    qos: packet.qos,
    packetId: packet.messageId ?? null,
  };
  tracer.record(traces, fields({ ...base, type: 'publish_received', detail: { retain: packet.retain, dup: packet.dup === true, size: payload.length } }));
  tracer.record(traces, fields({ ...base, type: 'drop', reason: REFUSAL_REASONS[reasonCode] ?? reasonName(reasonCode), detail: { reasonCode } }));
}

/** Routing chose one member of a shared subscription group. */
export function traceSharedPick(tracer: Tracer, message: Message, group: SharedGroup, entry: SubscriptionEntry): void {
  const info = tracer.messageTrace(message);
  if (!info) return;
  (info.shared ??= []).push({ shareName: group.shareName, topicFilter: group.filter, clientId: entry.session.clientId });
}

/** A PUBLISH sent to a subscriber. */
export function traceDelivery(connection: Connection, delivery: Delivery, packetId: number | undefined, dup: boolean): void {
  const tracer = connection.ctx.tracer;
  const session = connection.session;
  const selected = tracer.deliveryTraces(delivery.message, session ? sessionTraces(tracer, session) : connectionTraces(connection));
  if (!selected?.info || selected.traces.length === 0) return;
  const { info, traces } = selected;
  tracer.markSent(delivery);
  const shared = info.shared?.find((s) => s.clientId === connection.clientId);
  tracer.record(
    traces,
    fields({
      type: 'delivery',
      clientId: connection.clientId,
      username: connection.principal?.username,
      messageId: info.id,
      topic: delivery.message.topic,
      qos: delivery.qos,
      packetId: packetId ?? null,
      detail: { dup, retain: delivery.retain, ...(shared ? { shareName: shared.shareName } : {}), ...(delivery.subscriptionIdentifiers.length > 0 ? { subscriptionIdentifiers: delivery.subscriptionIdentifiers } : {}) },
    }),
  );
}

/** PUBACK, PUBREC or PUBCOMP from a subscriber, with the time since its PUBLISH was sent. */
export function traceAck(connection: Connection, type: 'puback' | 'pubrec' | 'pubcomp', packetId: number, reasonCode: number | undefined): void {
  const tracer = connection.ctx.tracer;
  const session = connection.session;
  const entry = session?.inflight.get(packetId);
  if (!session || !entry) return;
  const selected = tracer.deliveryTraces(entry.delivery.message, sessionTraces(tracer, session));
  if (!selected?.info || selected.traces.length === 0) return;
  const { info, traces } = selected;
  const elapsedMs = tracer.elapsedSinceSent(entry.delivery);
  tracer.record(
    traces,
    fields({
      type,
      clientId: connection.clientId,
      username: connection.principal?.username,
      messageId: info.id,
      topic: entry.delivery.message.topic,
      qos: entry.delivery.qos,
      packetId,
      reason: reasonName(reasonCode ?? 0),
      detail: { elapsedMs },
    }),
  );
}

/** PUBREL from the publisher of a QoS 2 message, with the time since its PUBLISH arrived. */
export function tracePubrel(connection: Connection, packetId: number): void {
  const tracer = connection.ctx.tracer;
  const info = connection.session ? tracer.takePubrel(connection.session, packetId) : undefined;
  if (!info) return;
  tracer.record(
    info.traces,
    fields({ type: 'pubrel', clientId: connection.clientId, username: connection.principal?.username, messageId: info.id, packetId, qos: 2, detail: { elapsedMs: tracer.now() - info.receivedAt } }),
  );
}

function filterTraces(traces: readonly ActiveTrace[], filter: string): readonly ActiveTrace[] {
  const plain = parseSharedSubscription(filter)?.filter ?? filter;
  return traces.filter((t) => t.topicFilter === undefined ? t.selectsConnections : safeOverlap(t.topicFilter, plain));
}

function safeOverlap(a: string, b: string): boolean {
  try {
    return filtersOverlap(a, b);
  } catch {
    return false;
  }
}

/** SUBSCRIBE: one event per topic filter with the granted QoS or the refusal reason. */
export function traceSubscribe(connection: Connection, packet: SubscribePacket, granted: readonly number[]): void {
  const tracer = connection.ctx.tracer;
  const traces = connectionTraces(connection);
  packet.subscriptions.forEach((request, i) => {
    const code = granted[i] ?? ReasonCode.UnspecifiedError;
    tracer.record(
      filterTraces(traces, request.topic),
      fields({
        type: 'subscribe',
        clientId: connection.clientId,
        username: connection.principal?.username,
        topic: request.topic,
        qos: code < 0x80 ? code : request.qos,
        packetId: packet.messageId ?? null,
        reason: reasonName(code),
        detail: { requestedQos: request.qos, reasonCode: code, noLocal: request.nl === true, retainAsPublished: request.rap === true, retainHandling: request.rh ?? 0 },
      }),
    );
  });
}

/** UNSUBSCRIBE: one event per topic filter with its reason. */
export function traceUnsubscribe(connection: Connection, filters: readonly string[], codes: readonly number[], packetId: number | undefined): void {
  const tracer = connection.ctx.tracer;
  const traces = connectionTraces(connection);
  filters.forEach((filter, i) => {
    const code = codes[i] ?? ReasonCode.UnspecifiedError;
    tracer.record(
      filterTraces(traces, filter),
      fields({ type: 'unsubscribe', clientId: connection.clientId, username: connection.principal?.username, topic: filter, packetId: packetId ?? null, reason: reasonName(code), detail: { reasonCode: code } }),
    );
  });
}

/** DISCONNECT from the client. */
export function traceDisconnect(connection: Connection, packet: DisconnectPacket): void {
  const code = packet.reasonCode ?? ReasonCode.Success;
  connection.ctx.tracer.record(
    connectionLevel(connectionTraces(connection)),
    fields({ type: 'disconnect', clientId: connection.clientId, username: connection.principal?.username, reason: reasonName(code), detail: { by: 'client', reasonCode: code } }),
  );
}

/** The server disconnects the client (DISCONNECT for 5.0, a close for 3.1.1): kicks, takeovers, errors. */
export function traceServerDisconnect(connection: Connection, type: 'disconnect' | 'kick', reasonCode: number, reasonString: string | undefined): void {
  if (!connection.clientId || connection.state !== 'connected') return;
  connection.ctx.tracer.record(
    connectionLevel(connectionTraces(connection)),
    fields({ type, clientId: connection.clientId, username: connection.principal?.username, reason: reasonName(reasonCode), detail: { by: 'server', reasonCode, ...(reasonString ? { reasonString } : {}) } }),
  );
}

/** The network connection is gone; a will may have been triggered. */
export function traceConnectionClosed(connection: Connection, willTriggered: boolean): void {
  if (!connection.clientId) return;
  connection.ctx.tracer.record(
    connectionLevel(connectionTraces(connection)),
    fields({ type: 'connection_closed', clientId: connection.clientId, username: connection.principal?.username, detail: { willTriggered } }),
  );
}

const DROP_REASONS: Record<DropReason, TraceDropReason> = {
  'queue-full': 'queue_full',
  expired: 'expired',
  'too-large': 'too_large',
  'slow-consumer': 'slow_consumer',
  'qos0-offline': 'qos0_offline',
};

/** A session dropped one delivery of a message. */
export function traceSessionDrop(tracer: Tracer, session: Session, delivery: Delivery, reason: DropReason): void {
  const selected = tracer.deliveryTraces(delivery.message, sessionTraces(tracer, session));
  if (!selected?.info || selected.traces.length === 0) return;
  const { info, traces } = selected;
  tracer.record(
    traces,
    fields({ type: 'drop', clientId: session.clientId, username: session.username, messageId: info.id, topic: delivery.message.topic, qos: delivery.qos, reason: DROP_REASONS[reason], detail: { connected: session.connected, queued: session.queue.length } }),
  );
}

/** The delivery check refused a matched subscriber (its ACL changed since it subscribed). */
export function traceDeliveryDenied(tracer: Tracer, session: Session, delivery: Delivery): void {
  const selected = tracer.deliveryTraces(delivery.message, sessionTraces(tracer, session));
  if (!selected?.info || selected.traces.length === 0) return;
  tracer.record(
    selected.traces,
    fields({ type: 'drop', clientId: session.clientId, username: session.username, messageId: selected.info.id, topic: delivery.message.topic, qos: delivery.qos, reason: 'acl_denied' satisfies TraceDropReason, detail: { at: 'delivery' } }),
  );
}

/** A disconnected session reached its Session Expiry Interval and was removed. */
export function traceSessionExpired(tracer: Tracer, session: Session): void {
  tracer.record(
    connectionLevel(sessionTraces(tracer, session)),
    fields({ type: 'session_expired', clientId: session.clientId, username: session.username, detail: { expiryInterval: session.expiryInterval, queued: session.queue.length, inflight: session.inflight.size } }),
  );
}

/** A will message is published (at once or after its delay): its routing and deliveries follow. */
export function traceWillPublished(tracer: Tracer, message: Message, liveSession: Session | undefined): void {
  const clientId = message.publisherClientId ?? '';
  const subjectTraces = liveSession
    ? sessionTraces(tracer, liveSession)
    : tracer.running.filter((t) => t.matchesSubject({ clientId, username: message.publisherUsername, ip: undefined }));
  const traces = onTopic(subjectTraces, message.topic);
  const info = tracer.traceMessage(message, traces);
  if (!info) return;
  tracer.record(traces, fields({ type: 'will_published', clientId, username: message.publisherUsername, messageId: info.id, topic: message.topic, qos: message.qos, detail: { retain: message.retain, size: message.payload.length } }));
}
