import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BrokerMetrics } from './metrics.js';

/** What the scrape reads besides the counters: current sizes, computed on demand. */
export interface BrokerGauges {
  connections(): number;
  sessions(): number;
  subscriptions(): number;
  retained(): number;
  /** Messages queued and in flight, summed over sessions. */
  queueDepth(): { queued: number; inflight: number };
  store(): { configured: boolean; reachable: boolean; pendingWrites: number };
}

/** Histograms fed once per committed batch of durable writes (not per message). */
export interface PersistenceObserver {
  batchCommitted(size: number, seconds: number): void;
}

export interface BrokerPrometheus extends PersistenceObserver {
  readonly registry: Registry;
}

const QOS = ['0', '1', '2'] as const;

/**
 * The broker's Prometheus metrics (names documented in README.md). Counters are read from
 * BrokerMetrics' plain numbers when scraped: the hot path never touches prom-client. Node.js
 * process metrics (event loop lag, heap, CPU) come from prom-client's default collectors.
 */
export function createBrokerPrometheus(metrics: BrokerMetrics, gauges: BrokerGauges, labels: { node: string; version: string }): BrokerPrometheus {
  const registry = new Registry();
  registry.setDefaultLabels({ node: labels.node });
  collectDefaultMetrics({ register: registry });

  /** A counter whose value is a number kept elsewhere. */
  const mirror = (name: string, help: string, read: () => number): void => {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  };
  const mirrorByLabel = <L extends string>(name: string, help: string, label: L, read: () => Array<[string, number]>): void => {
    new Counter({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      collect() {
        this.reset();
        for (const [value, count] of read()) this.inc({ [label]: value } as Record<L, string>, count);
      },
    });
  };
  const gauge = (name: string, help: string, read: () => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  };
  const byQos = (values: readonly number[]): Array<[string, number]> => QOS.map((qos, i) => [qos, values[i] ?? 0]);

  new Gauge({ name: 'mqtt_broker_info', help: 'Broker version (value 1).', labelNames: ['version'], registers: [registry] }).set({ version: labels.version }, 1);
  gauge('mqtt_broker_start_time_seconds', 'When the broker started (Unix time).', () => metrics.startedAt / 1000);
  gauge('mqtt_connections', 'Clients connected now (CONNECT accepted).', gauges.connections);
  gauge('mqtt_sockets_open', 'Network connections open now (before and after CONNECT).', () => metrics.socketsOpen);
  mirror('mqtt_connections_opened_total', 'Network connections accepted since start.', () => metrics.connectionsTotal);
  gauge('mqtt_sessions', 'Sessions held (connected and offline persistent ones).', gauges.sessions);
  mirror('mqtt_sessions_expired_total', 'Offline sessions removed because their expiry interval passed.', () => metrics.clientsExpired);
  gauge('mqtt_subscriptions', 'Subscriptions held.', gauges.subscriptions);
  gauge('mqtt_retained_messages', 'Retained messages held.', gauges.retained);
  gauge('mqtt_queued_messages', 'Messages queued for sessions (offline, or beyond the in-flight window).', () => gauges.queueDepth().queued);
  gauge('mqtt_inflight_messages', 'Outbound QoS 1/2 messages sent and not yet acknowledged.', () => gauges.queueDepth().inflight);
  mirror('mqtt_packets_received_total', 'MQTT packets received (all types).', () => metrics.messagesReceived);
  mirror('mqtt_packets_sent_total', 'MQTT packets sent (all types).', () => metrics.messagesSent);
  mirror('mqtt_bytes_received_total', 'Bytes received on MQTT connections.', () => metrics.bytesReceived);
  mirror('mqtt_bytes_sent_total', 'Bytes sent on MQTT connections.', () => metrics.bytesSent);
  mirrorByLabel('mqtt_publish_received_total', 'PUBLISH packets received from clients, by QoS.', 'qos', () => byQos(metrics.publishReceivedByQos));
  mirrorByLabel('mqtt_publish_sent_total', 'PUBLISH packets sent to clients, by QoS of the delivery.', 'qos', () => byQos(metrics.publishSentByQos));
  mirrorByLabel('mqtt_publish_received_bytes_total', 'Payload bytes of PUBLISH packets received, by QoS.', 'qos', () => byQos(metrics.publishBytesReceivedByQos));
  mirrorByLabel('mqtt_publish_sent_bytes_total', 'Payload bytes of PUBLISH packets sent, by QoS of the delivery.', 'qos', () => byQos(metrics.publishBytesSentByQos));
  mirrorByLabel('mqtt_messages_dropped_total', 'Messages dropped, by reason (publish-refused: a PUBLISH the broker did not route).', 'reason', () => {
    const entries = Object.entries(metrics.droppedByReason);
    const sessionDrops = entries.reduce((sum, [, n]) => sum + n, 0);
    return [...entries, ['publish-refused', Math.max(0, metrics.publishDropped - sessionDrops)]];
  });
  mirrorByLabel('mqtt_auth_total', 'CONNECT authentications, by result (success, failure).', 'result', () => [
    ['success', metrics.authSuccesses],
    ['failure', metrics.authFailures],
  ]);
  mirrorByLabel('mqtt_acl_denied_total', 'Operations refused by ACL rules, by action (publish, subscribe).', 'action', () => [
    ['publish', metrics.aclDeniedPublish],
    ['subscribe', metrics.aclDeniedSubscribe],
  ]);
  gauge('mqtt_persistence_up', '1 when the durable store is reachable (or none is configured), 0 during an outage.', () => {
    const store = gauges.store();
    return !store.configured || store.reachable ? 1 : 0;
  });
  gauge('mqtt_persistence_pending_writes', 'Durable writes waiting for their commit.', () => gauges.store().pendingWrites);
  const batchSize = new Histogram({
    name: 'mqtt_persistence_batch_size',
    help: 'Writes per committed batch (group commit).',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    registers: [registry],
  });
  const commitSeconds = new Histogram({
    name: 'mqtt_persistence_commit_seconds',
    help: 'Time to commit one batch of durable writes.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });

  return {
    registry,
    batchCommitted(size, seconds) {
      batchSize.observe(size);
      commitSeconds.observe(seconds);
    },
  };
}
