/**
 * Broker-wide counters, the source of the $SYS tree (and later of Prometheus metrics).
 * Plain numbers incremented on the hot path; readers take snapshots.
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
}
