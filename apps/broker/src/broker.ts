import { createAnonymousAuthenticator, type Authenticator } from './auth/authenticator.js';
import { createDefaultAuthorizer, type Authorizer } from './auth/authorizer.js';
import { resolveConfig, type BrokerConfig } from './config.js';
import { Connection } from './connection/connection.js';
import type { BrokerContext } from './context.js';
import { dispatch, translateError } from './handlers/index.js';
import type { Listener } from './listeners/listener.js';
import { startTcpListener } from './listeners/tcp-listener.js';
import { startTlsListener } from './listeners/tls-listener.js';
import type { Transport } from './listeners/transport.js';
import { startWebSocketListener } from './listeners/websocket-listener.js';
import type { Message } from './model/message.js';
import type { PrismaClient } from '@repo/db';
import { startBrokerHttpServer, type BrokerHttpServer, type Readiness } from './observability/http-server.js';
import { createLogger, type Logger } from './observability/logger.js';
import { BrokerMetrics } from './observability/metrics.js';
import { createBrokerPrometheus, type BrokerPrometheus } from './observability/prometheus.js';
import { startStatsSampler, type StatsSampler } from './observability/stats-sampler.js';
import { applySessionPoliciesLive } from './policies/apply-session-policy.js';
import { SessionPolicyBook } from './policies/session-policy-book.js';
import { DurableState } from './persistence/durable-state.js';
import { restoreState, type RestoreSummary } from './persistence/restore.js';
import type { SessionStore } from './persistence/session-store.js';
import { ReasonCode } from './protocol/reason-codes.js';
import { LocalRouter } from './routing/local-router.js';
import { RetainedIndex } from './routing/retained-index.js';
import { SessionRegistry } from './sessions/session-registry.js';
import { WillPublisher } from './sessions/will-delay.js';
import { SysPublisher } from './sys/sys-topics.js';
import { traceDeliveryDenied, traceSharedPick, traceWillPublished } from './tracing/hooks.js';
import { Tracer } from './tracing/tracer.js';
import { BROKER_VERSION } from './version.js';

export interface BrokerDeps {
  logger?: Logger;
  authenticator?: Authenticator;
  authorizer?: Authorizer;
  now?: () => number;
  /** Durable state (persistent sessions, queues, retained, delayed wills). Unset: memory only. The caller closes it. */
  store?: SessionStore;
  /** Message tracing (see tracing/postgres-tracing.ts). Unset: no trace ever runs. */
  tracer?: Tracer;
  /** Session policies (loaded from the database by the caller). Unset: the configuration's limits for everyone. */
  policies?: SessionPolicyBook;
  /** Where stats samples and $SYS snapshots go (every statsInterval seconds). Unset: not sampled. The caller closes it. */
  statsDb?: Pick<PrismaClient, 'statsSample' | 'sysSnapshot'>;
}

export interface ListeningAddresses {
  mqtt: number;
  ws?: number;
  mqtts?: number;
  wss?: number;
  /** /metrics, /healthz, /readyz (unless brokerHttpPort is -1). */
  http?: number;
}

export interface Broker {
  readonly config: BrokerConfig;
  readonly context: BrokerContext;
  readonly sys: SysPublisher;
  /** Health of the durable store: 'none' without one, 'degraded' while it is unreachable. */
  health(): { store: 'none' | 'ok' | 'degraded'; pendingWrites: number };
  /** Listeners up and database answering (what /readyz reports). */
  readiness(): Promise<Readiness>;
  readonly policies: SessionPolicyBook;
  /** Session policies were reloaded: apply what may change to live connections and offline sessions. */
  applyPolicies(): number;
  /** Prometheus registry, once listen() started the HTTP endpoints. */
  readonly prometheus: BrokerPrometheus | undefined;
  /** Stats sampler, once listen() started it (statsDb given and statsInterval > 0). */
  readonly stats: StatsSampler | undefined;
  /** Rebuilds state from the store (listen() does it first when it has not been done). */
  restore(): Promise<RestoreSummary | undefined>;
  listen(): Promise<ListeningAddresses>;
  /** Graceful shutdown: stop accepting, DISCONNECT 0x8B to 5.0 clients, flush, close. */
  close(): Promise<void>;
}

/** Composition root: wires listeners -> connections -> handlers -> router, sessions, retained. */
export function createBroker(input: Partial<BrokerConfig> = {}, deps: BrokerDeps = {}): Broker {
  const config = resolveConfig(input);
  const log = deps.logger ?? createLogger(config.logLevel);
  const now = deps.now ?? Date.now;
  const metrics = new BrokerMetrics();
  const tracer = deps.tracer ?? new Tracer();
  const authorizer = deps.authorizer ?? createDefaultAuthorizer();
  const router = new LocalRouter(
    (session, error) => log.error({ err: error, clientId: session.clientId }, 'delivery failed'),
    // Sessions restored without a principal (no CONNECT since start) are not re-checked.
    (session, delivery) => {
      const allowed = session.principal === null || authorizer.canReceive(session.principal, delivery.message.topic, delivery.qos);
      if (!allowed && tracer.active) traceDeliveryDenied(tracer, session, delivery);
      return allowed;
    },
    (message, group, entry) => {
      if (tracer.active) traceSharedPick(tracer, message, group, entry);
    },
  );
  const retained = new RetainedIndex();
  let shuttingDown = false;
  const durable = deps.store ? new DurableState(deps.store, { durability: config.durability, nodeId: config.nodeId, bufferMax: config.persistBufferMax }, log) : undefined;

  const publish = (message: Message): number => {
    if (message.retain && config.retainAvailable) {
      retained.set(message);
      if (!message.topic.startsWith('$SYS/')) durable?.retainedChanged(message);
    }
    return router.route(message);
  };
  const wills = new WillPublisher(
    (message) => {
      if (tracer.active) traceWillPublished(tracer, message, sessions.get(message.publisherClientId ?? ''));
      publish(message);
    },
    now,
    durable,
  );
  const sessions = new SessionRegistry(config, metrics, router, wills, now, durable, tracer);
  const policies = deps.policies ?? new SessionPolicyBook(config);
  const context: BrokerContext = {
    config,
    log,
    metrics,
    router,
    retained,
    sessions,
    wills,
    durable,
    authenticator: deps.authenticator ?? createAnonymousAuthenticator({ allowAnonymous: config.allowAnonymous }),
    authorizer,
    tracer,
    policies,
    now,
    publish,
    get shuttingDown() {
      return shuttingDown;
    },
  };
  const sys = new SysPublisher(context, BROKER_VERSION);
  const connections = new Set<Connection>();
  const listeners: Listener[] = [];

  const onTransport = (transport: Transport): void => {
    if (shuttingDown) {
      transport.destroy();
      return;
    }
    const connection = new Connection(context, transport, dispatch, translateError);
    connections.add(connection);
    transport.onClose(() => connections.delete(connection));
    connection.start();
  };

  let listening = false;
  let prometheus: BrokerPrometheus | undefined;
  let httpServer: BrokerHttpServer | undefined;
  let stats: StatsSampler | undefined;

  const queueDepth = (): { queued: number; inflight: number } => {
    let queued = 0;
    let inflight = 0;
    for (const session of sessions.all()) {
      queued += session.queue.length;
      inflight += session.inflight.size;
    }
    return { queued, inflight };
  };

  const readiness = async (): Promise<Readiness> => {
    const listenersUp = listening && !shuttingDown;
    const store = durable?.health().store ?? 'none';
    const database = deps.store?.probe ? ((await deps.store.probe(2000)) ? 'ok' : 'unreachable') : 'none';
    return { ready: listenersUp && store !== 'degraded' && database !== 'unreachable', listeners: listenersUp ? 'up' : 'down', store, database };
  };

  /** Prometheus metrics and the HTTP endpoints, the stats sampler: started by listen(). */
  const startObservability = async (): Promise<number | undefined> => {
    if (config.brokerHttpPort >= 0) {
      prometheus = createBrokerPrometheus(
        metrics,
        {
          connections: () => sessions.connectedCount,
          sessions: () => sessions.size,
          subscriptions: () => router.subscriptionCount,
          retained: () => retained.size,
          queueDepth,
          store: () => {
            const health = durable?.health();
            return { configured: health !== undefined, reachable: health?.store !== 'degraded', pendingWrites: health?.pendingWrites ?? 0 };
          },
        },
        { node: config.nodeId, version: BROKER_VERSION },
      );
      const observer = prometheus;
      deps.store?.observeBatches?.((size, seconds) => observer.batchCommitted(size, seconds));
      try {
        httpServer = await startBrokerHttpServer({ host: config.host, port: config.brokerHttpPort, registry: prometheus.registry, readiness, log });
      } catch (error) {
        // MQTT service matters more than its metrics: say so loudly and go on without them.
        log.error({ err: error, port: config.brokerHttpPort }, 'cannot listen for /metrics, /healthz, /readyz (BROKER_HTTP_PORT); continuing without them');
      }
    }
    if (deps.statsDb && config.statsInterval > 0) {
      stats = startStatsSampler({
        db: deps.statsDb,
        intervalMs: config.statsInterval * 1000,
        retentionMs: config.statsRetentionHours * 3600_000,
        log,
        source: {
          node: config.nodeId,
          version: BROKER_VERSION,
          startedAt: metrics.startedAt,
          read: () => ({
            connections: sessions.connectedCount,
            sessions: sessions.size,
            subscriptions: router.subscriptionCount,
            retained: retained.size,
            ...queueDepth(),
            dropped: metrics.publishDropped,
            messagesIn: metrics.publishReceived,
            messagesOut: metrics.publishSent,
            bytesIn: metrics.bytesReceived,
            bytesOut: metrics.bytesSent,
          }),
          sysTopics: () => sys.latest(),
        },
      });
    }
    return httpServer?.port;
  };

  let restored: Promise<RestoreSummary | undefined> | undefined;
  const restore = (): Promise<RestoreSummary | undefined> => {
    restored ??= durable ? restoreState({ durable, config, metrics, router, retained, sessions, wills, now, log }) : Promise.resolve(undefined);
    return restored;
  };

  return {
    config,
    context,
    sys,
    restore,
    health: () => durable?.health() ?? { store: 'none', pendingWrites: 0 },
    readiness,
    policies,
    applyPolicies: () => applySessionPoliciesLive({ book: policies, config, connections, sessions: sessions.all() }),
    get prometheus() {
      return prometheus;
    },
    get stats() {
      return stats;
    },
    async listen() {
      await restore();
      const host = config.host;
      const clientCertificates = config.tlsCa ? { clientCertificates: { ca: config.tlsCa, required: config.tlsRequireClientCert } } : {};
      const tls = config.tlsCert && config.tlsKey ? { cert: config.tlsCert, key: config.tlsKey, ...clientCertificates } : undefined;
      const tcp = await startTcpListener(host, config.mqttPort, onTransport);
      listeners.push(tcp);
      const addresses: ListeningAddresses = { mqtt: tcp.port };
      if (config.mqttWsPort >= 0) {
        const ws = await startWebSocketListener(host, config.mqttWsPort, config.wsPath, onTransport, config.maxPacketSize);
        listeners.push(ws);
        addresses.ws = ws.port;
      }
      if (tls && config.mqttsPort >= 0) {
        const mqtts = await startTlsListener(host, config.mqttsPort, tls, onTransport);
        listeners.push(mqtts);
        addresses.mqtts = mqtts.port;
      }
      if (tls && config.mqttWssPort >= 0) {
        const wss = await startWebSocketListener(host, config.mqttWssPort, config.wsPath, onTransport, config.maxPacketSize, tls);
        listeners.push(wss);
        addresses.wss = wss.port;
      }
      sessions.startSweeper();
      sys.start();
      listening = true;
      const http = await startObservability();
      if (http !== undefined) addresses.http = http;
      return addresses;
    },
    async close() {
      if (shuttingDown) return;
      shuttingDown = true;
      sys.stop();
      await stats?.stop();
      await httpServer?.close();
      sessions.stopSweeper();
      wills.stop();
      const closing = Promise.all(listeners.map((l) => l.close()));
      for (const connection of connections) connection.disconnect(ReasonCode.ServerShuttingDown, 'server shutting down');
      // Give sockets a moment to flush their DISCONNECT, then force what remains.
      const deadline = Date.now() + 2000;
      while (connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const connection of connections) connection.transport.destroy();
      await closing;
      await durable?.settle();
      log.info('broker stopped');
    },
  };
}
