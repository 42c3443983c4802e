import { BrokerError, brokerError } from '../errors.js';
import type { Connection } from '../connection/connection.js';
import { DecodeError } from '../protocol/codec.js';
import { connack, type Packet } from '../protocol/packets.js';
import { ReasonCode, toConnectReturnCode } from '../protocol/reason-codes.js';
import { handleAuth } from './auth.js';
import { handleConnect } from './connect.js';
import { handleDisconnect } from './disconnect.js';
import { handlePingreq } from './pingreq.js';
import { handlePuback, handlePubcomp } from './puback.js';
import { handlePublish } from './publish.js';
import { handlePubrec } from './pubrec.js';
import { handlePubrel } from './pubrel.js';
import { handleSubscribe } from './subscribe.js';
import { handleUnsubscribe } from './unsubscribe.js';
import { traceConnectionError } from '../tracing/hooks.js';

type Handler<P extends Packet = Packet> = (connection: Connection, packet: P) => void | Promise<void>;
type HandlerTable = { [C in Packet['cmd']]?: Handler<Extract<Packet, { cmd: C }>> };

/** Packets a client may send once connected, each to one handler. */
const handlers = {
  publish: handlePublish,
  puback: handlePuback,
  pubrec: handlePubrec,
  pubrel: handlePubrel,
  pubcomp: handlePubcomp,
  subscribe: handleSubscribe,
  unsubscribe: handleUnsubscribe,
  pingreq: handlePingreq,
  disconnect: handleDisconnect,
  auth: handleAuth,
} satisfies HandlerTable;

/** Routes one packet to its handler after the state guards. */
export function dispatch(connection: Connection, packet: Packet): void | Promise<void> {
  if (packet.cmd === 'connect') {
    // [MQTT-3.1.0-2] a second CONNECT is a protocol error.
    if (connection.state !== 'awaiting-connect') throw brokerError('BROKER_ERR_DUPLICATE_CONNECT', 'second CONNECT');
    return handleConnect(connection, packet);
  }
  if (connection.state !== 'connected') {
    // [MQTT-3.1.0-1] the first packet must be CONNECT.
    throw brokerError('BROKER_ERR_PACKET_BEFORE_CONNECT', `${packet.cmd} before CONNECT`);
  }
  const handler = (handlers as HandlerTable)[packet.cmd] as Handler | undefined;
  // CONNACK, SUBACK, UNSUBACK, PINGRESP are server-to-client only.
  if (!handler) throw brokerError('BROKER_ERR_PROTOCOL', `${packet.cmd} is not sent by clients`);
  return handler(connection, packet);
}

/**
 * The one place where errors become protocol: CONNACK with a reason code while connecting,
 * DISCONNECT with a reason code (5.0) once connected, a plain close for 3.1.1, a log line always.
 */
export function translateError(connection: Connection, error: unknown): void {
  const log = connection.ctx.log;
  let reasonCode: number;
  let message: string;
  let code: string;
  if (error instanceof BrokerError) {
    reasonCode = error.reasonCode;
    message = error.message;
    code = error.code;
  } else if (error instanceof DecodeError) {
    reasonCode = error.reasonCode;
    message = error.message;
    code = reasonCode === ReasonCode.PacketTooLarge ? 'BROKER_ERR_PACKET_TOO_LARGE' : 'BROKER_ERR_MALFORMED_PACKET';
  } else {
    reasonCode = ReasonCode.UnspecifiedError;
    message = error instanceof Error ? error.message : String(error);
    code = 'BROKER_ERR_INTERNAL';
    log.error({ err: error, client: connection.label }, 'unexpected error while handling a packet');
  }
  log.info({ client: connection.label, code, reasonCode, state: connection.state }, `closing connection: ${message}`);
  if (connection.ctx.tracer.active) traceConnectionError(connection, reasonCode, code, message);

  if (connection.state === 'awaiting-connect' || connection.state === 'connecting') {
    if (error instanceof DecodeError && /Invalid protocol version/.test(message)) {
      // [MQTT-3.1.2-2] unsupported protocol level: CONNACK 0x01 (3.1.1 format), then close.
      connection.protocolVersion = 4;
      connection.send(connack(false, 1, 4));
    } else if (connection.state === 'connecting' && code !== 'BROKER_ERR_DUPLICATE_CONNECT') {
      // A CONNECT was parsed: answer it with the reason code ([MQTT-3.2.2-6] / [MQTT-3.2.2-7]).
      const version = connection.protocolVersion;
      connection.send(connack(false, version === 5 ? reasonCode : toConnectReturnCode(reasonCode), version));
    }
    connection.close();
    return;
  }
  connection.disconnect(reasonCode, message);
}
