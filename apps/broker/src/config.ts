import { readFileSync } from 'node:fs';
import Type, { type Static } from 'typebox';
import Value from 'typebox/value';

/**
 * The broker's configuration: one TypeBox schema gives the defaults, the validation and the type.
 * Environment variables are read here and nowhere else (names from ARCHITECTURE.md).
 */
export const BrokerConfigSchema = Type.Object({
  host: Type.String({ default: '0.0.0.0' }),
  /** MQTT over TCP; 0 picks a free port (tests). */
  mqttPort: Type.Integer({ minimum: 0, maximum: 65535, default: 1883 }),
  /** MQTT over WebSocket on path /mqtt; -1 disables it. */
  mqttWsPort: Type.Integer({ minimum: -1, maximum: 65535, default: 8083 }),
  mqttsPort: Type.Integer({ minimum: -1, maximum: 65535, default: 8883 }),
  mqttWssPort: Type.Integer({ minimum: -1, maximum: 65535, default: 8084 }),
  /** PEM certificate and key; the TLS listeners start only when both are set. */
  tlsCert: Type.Optional(Type.String()),
  tlsKey: Type.Optional(Type.String()),
  /** PEM of the CA(s) whose client certificates the TLS listeners accept; set, they ask clients for a certificate. */
  tlsCa: Type.Optional(Type.String()),
  /** Clients without a certificate from tlsCa fail the TLS handshake (needs tlsCa). */
  tlsRequireClientCert: Type.Boolean({ default: false }),
  /** A verified client certificate's CN is the MQTT username; no password is needed (needs tlsCa and a database). */
  tlsUseCnAsUsername: Type.Boolean({ default: false }),
  wsPath: Type.String({ default: '/mqtt' }),
  allowAnonymous: Type.Boolean({ default: false }),
  /** Largest packet the broker accepts and announces (Maximum Packet Size), in bytes. */
  maxPacketSize: Type.Integer({ minimum: 64, maximum: 268435460, default: 1048576 }),
  /** Receive Maximum announced to 5.0 clients: unacknowledged inbound QoS 1/2 publications. */
  receiveMaximum: Type.Integer({ minimum: 1, maximum: 65535, default: 128 }),
  /** Outbound in-flight window cap (the client's Receive Maximum may lower it). */
  maxInflight: Type.Integer({ minimum: 1, maximum: 65535, default: 32 }),
  /** Server Keep Alive cap in seconds; 0 = accept what the client asks. */
  maxKeepAlive: Type.Integer({ minimum: 0, maximum: 65535, default: 0 }),
  topicAliasMaximum: Type.Integer({ minimum: 0, maximum: 65535, default: 64 }),
  maximumQos: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)], { default: 2 }),
  retainAvailable: Type.Boolean({ default: true }),
  /** Cap on Session Expiry Interval (seconds); 4294967295 = no cap. */
  maxSessionExpiryInterval: Type.Integer({ minimum: 0, maximum: 4294967295, default: 4294967295 }),
  /** Expiry given to 3.1.1 persistent sessions (Clean Session 0), in seconds. */
  defaultSessionExpiryInterval: Type.Integer({ minimum: 0, maximum: 4294967295, default: 7200 }),
  /** How often expired sessions are swept, in milliseconds. */
  sessionExpirySweepMs: Type.Integer({ minimum: 10, default: 1000 }),
  maxQueuedMessages: Type.Integer({ minimum: 0, default: 1000 }),
  queueQos0: Type.Boolean({ default: false }),
  queueDropPolicy: Type.Union([Type.Literal('drop-oldest'), Type.Literal('drop-new')], { default: 'drop-oldest' }),
  /** $SYS publish interval in seconds; 0 disables $SYS. */
  sysInterval: Type.Integer({ minimum: 0, default: 10 }),
  /** Bytes buffered for a slow consumer before QoS 0 messages to it are dropped. */
  maxWriteBufferBytes: Type.Integer({ minimum: 1024, default: 4 * 1024 * 1024 }),
  /** Time a client has to send CONNECT after the connection opens, in milliseconds. */
  connectTimeoutMs: Type.Integer({ minimum: 100, default: 10000 }),
  /** What happens when no ACL rule matches (only with a database; without one, all is allowed but $SYS publishing). */
  aclDefaultPublish: Type.Union([Type.Literal('allow'), Type.Literal('deny')], { default: 'deny' }),
  aclDefaultSubscribe: Type.Union([Type.Literal('allow'), Type.Literal('deny')], { default: 'deny' }),
  /** Failed authentications (per address and per username) within the window that lock it out; 0 disables. */
  authMaxFailures: Type.Integer({ minimum: 0, default: 5 }),
  authFailureWindowSeconds: Type.Integer({ minimum: 0, default: 60 }),
  /** How long a lockout lasts (CONNECT gets 0x8A Banned / 3.1.1: 5); 0 disables. */
  authLockoutSeconds: Type.Integer({ minimum: 0, default: 300 }),
  /**
   * How long a user and its credentials, once read for a CONNECT, serve later CONNECTs without a
   * database query. API changes invalidate at once (NOTIFY); this bounds changes made by hand in SQL. 0 disables.
   */
  authCacheSeconds: Type.Integer({ minimum: 0, default: 60 }),
  /** 3.1.1 has no negative PUBACK: when true, a 3.1.1 client whose PUBLISH is denied is disconnected instead of acknowledged. */
  deniedPublishDisconnectV3: Type.Boolean({ default: false }),
  /**
   * PostgreSQL for durable state (persistent sessions, queues, retained messages, delayed wills).
   * Unset: state lives in memory only (tests; the launcher always passes one).
   */
  databaseUrl: Type.Optional(Type.String()),
  /**
   * 'sync' (default): a QoS 1/2 message that matched a persistent session is committed before
   * its PUBACK/PUBREC, and before it is sent on. 'async': written behind, faster, may lose the
   * last moments of messages on a crash.
   */
  durability: Type.Union([Type.Literal('sync'), Type.Literal('async')], { default: 'sync' }),
  /** Group commit: longest a durable write waits for companions before its batch commits (ms). */
  persistBatchMs: Type.Integer({ minimum: 0, default: 2 }),
  /** Group commit: a batch commits as soon as it holds this many writes. */
  persistBatchMax: Type.Integer({ minimum: 1, default: 1000 }),
  /**
   * Durable writes allowed to wait for the store (e.g. while Postgres is unreachable) before new
   * QoS 1/2 publications are refused (5.0: reason code 0x97 Quota exceeded; 3.1.1: disconnect).
   */
  persistBufferMax: Type.Integer({ minimum: 1, default: 100000 }),
  /** HTTP port of /metrics, /healthz and /readyz; 0 picks a free port (tests); -1 disables it. */
  brokerHttpPort: Type.Integer({ minimum: -1, maximum: 65535, default: 9090 }),
  /** Seconds between stats samples written to Postgres (stats_samples, sys_snapshots); 0 disables. */
  statsInterval: Type.Number({ minimum: 0, default: 10 }),
  /** How long stats samples are kept, in hours. */
  statsRetentionHours: Type.Number({ exclusiveMinimum: 0, default: 24 }),
  logLevel: Type.String({ default: 'info' }),
  /** Finished traces (and their events) are deleted this many hours after they ended. */
  traceRetentionHours: Type.Integer({ minimum: 1, default: 168 }),
  /** At most this many finished traces are kept (the oldest go first). */
  traceKeepFinished: Type.Integer({ minimum: 0, default: 200 }),
  nodeId: Type.String({ default: 'node-1' }),
});

export type BrokerConfig = Static<typeof BrokerConfigSchema>;

/** Fills defaults and validates; throws with every problem listed. */
export function resolveConfig(input: Partial<BrokerConfig> = {}): BrokerConfig {
  const withDefaults = Value.Default(BrokerConfigSchema, structuredClone(input)) as unknown;
  if (!Value.Check(BrokerConfigSchema, withDefaults)) {
    const problems = [...Value.Errors(BrokerConfigSchema, withDefaults)].map((e) => `${e.instancePath || '/'} ${e.message}`);
    throw new Error(`invalid broker configuration: ${problems.join('; ')}`);
  }
  if ((withDefaults.tlsRequireClientCert || withDefaults.tlsUseCnAsUsername) && !withDefaults.tlsCa) {
    throw new Error('invalid broker configuration: tlsRequireClientCert and tlsUseCnAsUsername need tlsCa (MQTT_TLS_CA_FILE)');
  }
  return withDefaults;
}

const ENV_NAMES: Record<string, keyof BrokerConfig> = {
  MQTT_HOST: 'host',
  MQTT_PORT: 'mqttPort',
  MQTT_WS_PORT: 'mqttWsPort',
  MQTTS_PORT: 'mqttsPort',
  MQTT_WSS_PORT: 'mqttWssPort',
  MQTT_ALLOW_ANONYMOUS: 'allowAnonymous',
  MQTT_TLS_REQUIRE_CLIENT_CERT: 'tlsRequireClientCert',
  MQTT_TLS_USE_CN_AS_USERNAME: 'tlsUseCnAsUsername',
  MQTT_MAX_PACKET_SIZE: 'maxPacketSize',
  MQTT_RECEIVE_MAXIMUM: 'receiveMaximum',
  MQTT_MAX_INFLIGHT: 'maxInflight',
  MQTT_MAX_KEEPALIVE: 'maxKeepAlive',
  MQTT_TOPIC_ALIAS_MAXIMUM: 'topicAliasMaximum',
  MQTT_MAXIMUM_QOS: 'maximumQos',
  MQTT_RETAIN_AVAILABLE: 'retainAvailable',
  MQTT_MAX_SESSION_EXPIRY_INTERVAL: 'maxSessionExpiryInterval',
  MQTT_DEFAULT_SESSION_EXPIRY_INTERVAL: 'defaultSessionExpiryInterval',
  MQTT_MAX_QUEUED_MESSAGES: 'maxQueuedMessages',
  MQTT_QUEUE_QOS0: 'queueQos0',
  MQTT_QUEUE_DROP_POLICY: 'queueDropPolicy',
  SYS_INTERVAL: 'sysInterval',
  DATABASE_URL: 'databaseUrl',
  MQTT_DURABILITY: 'durability',
  MQTT_PERSIST_BATCH_MS: 'persistBatchMs',
  MQTT_PERSIST_BATCH_MAX: 'persistBatchMax',
  MQTT_PERSIST_BUFFER_MAX: 'persistBufferMax',
  LOG_LEVEL: 'logLevel',
  BROKER_HTTP_PORT: 'brokerHttpPort',
  STATS_INTERVAL: 'statsInterval',
  STATS_RETENTION_HOURS: 'statsRetentionHours',
  MQTT_ACL_DEFAULT_PUBLISH: 'aclDefaultPublish',
  MQTT_ACL_DEFAULT_SUBSCRIBE: 'aclDefaultSubscribe',
  MQTT_AUTH_MAX_FAILURES: 'authMaxFailures',
  MQTT_AUTH_FAILURE_WINDOW_SECONDS: 'authFailureWindowSeconds',
  MQTT_AUTH_LOCKOUT_SECONDS: 'authLockoutSeconds',
  MQTT_AUTH_CACHE_SECONDS: 'authCacheSeconds',
  MQTT_DENIED_PUBLISH_DISCONNECT_V3: 'deniedPublishDisconnectV3',
  NODE_ID: 'nodeId',
  MQTT_TRACE_RETENTION_HOURS: 'traceRetentionHours',
  MQTT_TRACE_KEEP_FINISHED: 'traceKeepFinished',
};

/** Reads the environment (and MQTT_TLS_CERT_FILE / MQTT_TLS_KEY_FILE / MQTT_TLS_CA_FILE) into a validated config. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): BrokerConfig {
  const raw: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV_NAMES)) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  if (env.MQTT_TLS_CERT_FILE) raw.tlsCert = readFileSync(env.MQTT_TLS_CERT_FILE, 'utf8');
  if (env.MQTT_TLS_KEY_FILE) raw.tlsKey = readFileSync(env.MQTT_TLS_KEY_FILE, 'utf8');
  if (env.MQTT_TLS_CA_FILE) raw.tlsCa = readFileSync(env.MQTT_TLS_CA_FILE, 'utf8');
  const converted = Value.Convert(BrokerConfigSchema, raw) as Partial<BrokerConfig>;
  return resolveConfig(converted);
}

/** The effective configuration, secrets removed, for the start-up banner. */
export function describeConfig(config: BrokerConfig): Record<string, unknown> {
  const { tlsCert, tlsKey, tlsCa, databaseUrl, ...rest } = config;
  return { ...rest, tls: tlsCert && tlsKey ? 'configured' : 'off', tlsClientCa: tlsCa ? 'configured' : 'none', database: databaseUrl ? redactUrl(databaseUrl) : 'none (memory only; no MQTT users: only anonymous clients, if allowed)' };
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'configured';
  }
}
