import { randomBytes } from 'node:crypto';
import { isValidTopicName } from '@repo/topics';
import type { Connection } from '../connection/connection.js';
import { KeepAliveMonitor } from '../connection/keepalive.js';
import { brokerError } from '../errors.js';
import type { QoS } from '../model/message.js';
import { connack, type ConnackProperties, type ConnectPacket, type ProtocolVersion } from '../protocol/packets.js';
import { ReasonCode, toConnectReturnCode } from '../protocol/reason-codes.js';
import { applySessionPolicyAtConnect } from '../policies/apply-session-policy.js';
import { negotiateConnectLimits, type NegotiatedLimits } from '../policies/connect-limits.js';
import type { EffectiveSessionPolicy } from '../policies/session-policy.js';
import type { Session } from '../sessions/session.js';
import type { Will } from '../sessions/will.js';
import { traceConnectRefused, traceConnected } from '../tracing/hooks.js';

/** What CONNECT asked for, validated: the input of the later steps. */
interface ConnectRequest {
  version: ProtocolVersion;
  clientId: string;
  assignedClientId: boolean;
  cleanStart: boolean;
  /** Keep Alive and Session Expiry Interval as asked, before the session policy caps them. */
  requestedKeepAlive: number;
  requestedSessionExpiry: number;
  will: Will | null;
}

/**
 * CONNECT: check protocol -> check client identifier -> read limits -> check will ->
 * authenticate -> apply the session policy -> take over an existing connection -> start or resume the session -> CONNACK ->
 * resend in-flight and queued messages.
 */
export async function handleConnect(connection: Connection, packet: ConnectPacket): Promise<void> {
  connection.state = 'connecting';
  const request = readConnect(connection, packet);
  const ctx = connection.ctx;

  const auth = await ctx.authenticator.authenticate({
    clientId: request.clientId,
    username: packet.username,
    password: packet.password,
    remoteAddress: connection.transport.remoteAddress,
    peerCommonName: connection.transport.peerCommonName,
  });
  if (connection.state !== 'connecting') return; // the socket closed while authenticating
  if (auth.ok) ctx.metrics.authSuccesses++;
  else ctx.metrics.authFailures++;
  if (!auth.ok) {
    const code = auth.reasonCode;
    ctx.log.info({ clientId: request.clientId, username: packet.username, reasonCode: code }, 'connection refused');
    if (ctx.tracer.active) traceConnectRefused(connection, packet, request.clientId, code);
    connection.send(connack(false, request.version === 5 ? code : toConnectReturnCode(code), request.version));
    connection.close();
    return;
  }
  if (request.will && !ctx.authorizer.canPublish(auth.principal, request.will.topic, request.will.qos, request.will.retain)) {
    throw brokerError('BROKER_ERR_NOT_AUTHORIZED', `will topic ${request.will.topic} not allowed`);
  }

  connection.clientId = request.clientId;
  connection.principal = auth.principal;
  connection.will = request.will;
  // Session policy: user override > group override > default > broker configuration.
  const policy = ctx.policies.effective(auth.principal);
  const limits = negotiateConnectLimits({ version: request.version, keepAlive: request.requestedKeepAlive, sessionExpiryInterval: request.requestedSessionExpiry }, policy);
  connection.keepAliveSeconds = limits.keepAlive;
  connection.cleanStart = request.cleanStart;

  // [MQTT-3.1.4-3] an existing connection with this client id is closed (5.0: DISCONNECT 0x8E).
  ctx.sessions.connection(request.clientId)?.takeOver();

  const { session, sessionPresent } = openSession(connection, request);
  session.expiryInterval = limits.sessionExpiryInterval;
  applySessionPolicyAtConnect(connection, session, policy, ctx.config);
  session.protocolVersion = request.version;
  session.username = auth.principal.username;
  session.principal = auth.principal;
  connection.session = session;
  // A persistent session (Session Expiry Interval > 0) is written through to the store, and
  // with durability 'sync' committed (with the will) before CONNACK.
  const mark = ctx.durable?.mark() ?? 0;
  ctx.durable?.sessionAttached(session, request.will);
  const commit = ctx.durable?.commitSince(mark);
  if (commit) {
    await commit;
    if (connection.state !== 'connecting') return; // the socket closed meanwhile (finish() detached it)
    if (ctx.sessions.get(request.clientId) !== session || ctx.sessions.connection(request.clientId)) {
      // Another connection took this client id over meanwhile: it owns the session now.
      connection.session = null;
      connection.will = null;
      connection.close();
      return;
    }
  }

  const properties: ConnackProperties | undefined = request.version === 5 ? connackProperties(connection, request, limits, policy) : undefined;
  connection.send(connack(sessionPresent, 0, request.version, properties));
  connection.connected();
  if (limits.keepAlive > 0) {
    connection.keepAlive = new KeepAliveMonitor(limits.keepAlive, () => {
      ctx.log.info({ clientId: connection.clientId }, 'keep alive timeout');
      connection.disconnect(ReasonCode.KeepAliveTimeout, 'keep alive timeout');
    });
  }
  ctx.sessions.attach(connection, session);
  if (ctx.tracer.active) traceConnected(connection, packet, sessionPresent);
  ctx.log.debug({ clientId: request.clientId, version: request.version, sessionPresent, transport: connection.transport.kind }, 'client connected');
  session.resume(connection);
}

function readConnect(connection: Connection, packet: ConnectPacket): ConnectRequest {
  const ctx = connection.ctx;
  const config = ctx.config;
  const version = (packet.protocolVersion ?? 4) as ProtocolVersion;
  connection.protocolVersion = version;
  connection.decoder.setProtocolVersion(version);

  // [MQTT-3.1.2-1] protocol name "MQTT" for 3.1.1 and 5.0, "MQIsdp" for 3.1.
  const expectedName = version === 3 ? 'MQIsdp' : 'MQTT';
  if (packet.protocolId !== expectedName) {
    throw brokerError('BROKER_ERR_UNSUPPORTED_PROTOCOL_VERSION', `protocol name ${packet.protocolId} with level ${version}`);
  }

  const properties = packet.properties ?? {};
  if (version === 5) {
    // [MQTT-4.12.0-1] enhanced authentication is not offered: any Authentication Method gets 0x8C.
    if (properties.authenticationMethod !== undefined) {
      throw brokerError('BROKER_ERR_BAD_AUTH_METHOD', `authentication method ${properties.authenticationMethod} not supported`);
    }
    // Receive Maximum and Maximum Packet Size of 0 are protocol errors (3.1.2.11.3, 3.1.2.11.4).
    if (properties.receiveMaximum === 0) throw brokerError('BROKER_ERR_PROTOCOL', 'Receive Maximum of 0');
    if (properties.maximumPacketSize === 0) throw brokerError('BROKER_ERR_PROTOCOL', 'Maximum Packet Size of 0');
    connection.clientReceiveMaximum = properties.receiveMaximum ?? 65535;
    connection.sendQuota = Math.min(connection.clientReceiveMaximum, config.maxInflight);
    if (properties.maximumPacketSize !== undefined) connection.clientMaximumPacketSize = properties.maximumPacketSize;
    connection.clientTopicAliasMaximum = properties.topicAliasMaximum ?? 0;
    connection.requestProblemInformation = properties.requestProblemInformation !== false;
  }

  const cleanStart = packet.clean !== false;
  let clientId = packet.clientId ?? '';
  let assignedClientId = false;
  if (clientId === '') {
    // [MQTT-3.1.3-6] / [MQTT-3.1.3-7] 5.0 assigns a unique identifier and returns it in CONNACK
    // ([MQTT-3.2.2-16]); 3.1.1 only with Clean Session 1, otherwise it is rejected (3.1.1's
    // [MQTT-3.1.3-8]: return code 0x02; 5.0's [MQTT-3.1.3-8]: 0x85). 3.1 requires an identifier.
    if (version === 3 || (version === 4 && !cleanStart)) {
      throw brokerError('BROKER_ERR_CLIENT_ID_INVALID', 'empty client identifier');
    }
    clientId = `auto-${randomBytes(12).toString('hex')}`;
    assignedClientId = true;
  }

  // Keep Alive and Session Expiry Interval are capped by the session policy once the client is
  // known (policies/connect-limits.ts). Session Expiry Interval: asked by 5.0 clients, a default
  // for 3.1.1 persistent sessions.
  let requested: number;
  if (version === 5) requested = properties.sessionExpiryInterval ?? 0;
  else requested = cleanStart ? 0 : config.defaultSessionExpiryInterval;
  connection.connectSessionExpiry = requested;

  const will = packet.will ? readWill(connection, packet.will) : null;

  return {
    version,
    clientId,
    assignedClientId,
    cleanStart,
    requestedKeepAlive: packet.keepalive ?? 0,
    requestedSessionExpiry: requested,
    will,
  };
}

function readWill(connection: Connection, will: NonNullable<ConnectPacket['will']>): Will {
  const config = connection.ctx.config;
  if (!isValidTopicName(will.topic)) throw brokerError('BROKER_ERR_TOPIC_NAME_INVALID', `invalid will topic ${will.topic}`);
  const qos = (will.qos ?? 0) as QoS;
  // [MQTT-3.2.2-12] a will QoS above Maximum QoS is refused with 0x9B.
  if (qos > config.maximumQos) throw brokerError('BROKER_ERR_QOS_NOT_SUPPORTED', `will QoS ${qos} above maximum ${config.maximumQos}`);
  // [MQTT-3.2.2-13] a retained will when retain is not available is refused with 0x9A.
  if (will.retain && !config.retainAvailable) throw brokerError('BROKER_ERR_RETAIN_NOT_SUPPORTED', 'retained will not available');
  const p = will.properties ?? {};
  const payload = typeof will.payload === 'string' ? Buffer.from(will.payload) : will.payload;
  return {
    topic: will.topic,
    payload,
    qos,
    retain: will.retain ?? false,
    properties: {
      ...(p.payloadFormatIndicator !== undefined ? { payloadFormatIndicator: p.payloadFormatIndicator } : {}),
      ...(p.contentType !== undefined ? { contentType: p.contentType } : {}),
      ...(p.responseTopic !== undefined ? { responseTopic: p.responseTopic } : {}),
      ...(p.correlationData !== undefined ? { correlationData: p.correlationData } : {}),
      ...(p.userProperties !== undefined ? { userProperties: p.userProperties } : {}),
    },
    messageExpiryInterval: p.messageExpiryInterval,
    delayInterval: p.willDelayInterval ?? 0,
  };
}

/** Clean Start discards an existing session ([MQTT-3.1.2-4]); otherwise it is resumed ([MQTT-3.1.2-5]). */
function openSession(connection: Connection, request: ConnectRequest): { session: Session; sessionPresent: boolean } {
  const sessions = connection.ctx.sessions;
  const existing = sessions.get(request.clientId);
  if (existing && !request.cleanStart) {
    // Reconnected before the Will Delay Interval passed: the will is not sent ([MQTT-3.1.3-9]).
    connection.ctx.wills.cancel(request.clientId);
    return { session: existing, sessionPresent: true };
  }
  if (existing) sessions.end(existing);
  return { session: sessions.create(request.clientId), sessionPresent: false };
}

function connackProperties(connection: Connection, request: ConnectRequest, limits: NegotiatedLimits, policy: EffectiveSessionPolicy): ConnackProperties {
  const config = connection.ctx.config;
  const properties: ConnackProperties = {
    receiveMaximum: config.receiveMaximum,
    retainAvailable: config.retainAvailable,
    maximumPacketSize: policy.maxPacketSize,
    topicAliasMaximum: config.topicAliasMaximum,
    wildcardSubscriptionAvailable: true,
    subscriptionIdentifiersAvailable: true,
    sharedSubscriptionAvailable: true,
  };
  if (config.maximumQos < 2) properties.maximumQoS = config.maximumQos as 0 | 1;
  if (request.assignedClientId) properties.assignedClientIdentifier = request.clientId;
  if (limits.serverKeepAlive !== undefined) properties.serverKeepAlive = limits.serverKeepAlive;
  if (limits.sessionExpiryCapped) properties.sessionExpiryInterval = limits.sessionExpiryInterval;
  return properties;
}
