import type { DropReason } from '../sessions/session.js';

/** Per-QoS counters, indexed by QoS (0, 1, 2). */
export type ByQos = [number, number, number];

/**
 * Broker-wide counters, the source of the $SYS tree, the stats samples and the Prometheus
 * metrics (observability/prometheus.ts reads them at scrape time). Plain numbers incremented on
 * the hot path, no label lookups; readers take snapshots.
 */
export class BrokerMetrics {
  readonly startedAt = Date.now();
  messagesReceived = 0;
  messagesSent = 0;
  publishReceived = 0;
  publishSent = 0;
  bytesReceived = 0;
  bytesSent = 0;
  publishDropped = 0;
  connectionsTotal = 0;
  clientsMaximum = 0;
  clientsExpired = 0;
  socketsOpen = 0;
  /** PUBLISH packets and their payload bytes, by QoS (received: as published; sent: as delivered). */
  readonly publishReceivedByQos: ByQos = [0, 0, 0];
  readonly publishBytesReceivedByQos: ByQos = [0, 0, 0];
  readonly publishSentByQos: ByQos = [0, 0, 0];
  readonly publishBytesSentByQos: ByQos = [0, 0, 0];
  /** Deliveries a session dropped, by reason (publications refused at PUBLISH are publishDropped minus these). */
  readonly droppedByReason: Record<DropReason, number> = { 'queue-full': 0, expired: 0, 'too-large': 0, 'slow-consumer': 0, 'qos0-offline': 0 };
  authSuccesses = 0;
  authFailures = 0;
  aclDeniedPublish = 0;
  aclDeniedSubscribe = 0;
}
