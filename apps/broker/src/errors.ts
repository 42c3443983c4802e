import { ReasonCode } from './protocol/reason-codes.js';

/**
 * An error with protocol meaning. Handlers throw it; handlers/index.ts alone turns it into
 * CONNACK / DISCONNECT reason codes (or a plain close for 3.1.1) and a log line.
 */
export class BrokerError extends Error {
  constructor(
    readonly code: BrokerErrorCode,
    readonly reasonCode: number,
    message?: string,
  ) {
    super(message ?? code);
    this.name = 'BrokerError';
  }
}

export const BrokerErrorCatalogue = {
  BROKER_ERR_MALFORMED_PACKET: ReasonCode.MalformedPacket,
  BROKER_ERR_PROTOCOL: ReasonCode.ProtocolError,
  BROKER_ERR_DUPLICATE_CONNECT: ReasonCode.ProtocolError,
  BROKER_ERR_PACKET_BEFORE_CONNECT: ReasonCode.ProtocolError,
  BROKER_ERR_UNSUPPORTED_PROTOCOL_VERSION: ReasonCode.UnsupportedProtocolVersion,
  BROKER_ERR_CLIENT_ID_INVALID: ReasonCode.ClientIdentifierNotValid,
  BROKER_ERR_BAD_CREDENTIALS: ReasonCode.BadUserNameOrPassword,
  BROKER_ERR_NOT_AUTHORIZED: ReasonCode.NotAuthorized,
  BROKER_ERR_BAD_AUTH_METHOD: ReasonCode.BadAuthenticationMethod,
  BROKER_ERR_TOPIC_NAME_INVALID: ReasonCode.TopicNameInvalid,
  BROKER_ERR_TOPIC_ALIAS_INVALID: ReasonCode.TopicAliasInvalid,
  BROKER_ERR_PACKET_TOO_LARGE: ReasonCode.PacketTooLarge,
  BROKER_ERR_RECEIVE_MAXIMUM_EXCEEDED: ReasonCode.ReceiveMaximumExceeded,
  BROKER_ERR_QOS_NOT_SUPPORTED: ReasonCode.QosNotSupported,
  BROKER_ERR_RETAIN_NOT_SUPPORTED: ReasonCode.RetainNotSupported,
  BROKER_ERR_KEEP_ALIVE_TIMEOUT: ReasonCode.KeepAliveTimeout,
  BROKER_ERR_SESSION_TAKEN_OVER: ReasonCode.SessionTakenOver,
  BROKER_ERR_SERVER_SHUTTING_DOWN: ReasonCode.ServerShuttingDown,
  BROKER_ERR_ADMINISTRATIVE_ACTION: ReasonCode.AdministrativeAction,
  BROKER_ERR_PAYLOAD_FORMAT_INVALID: ReasonCode.PayloadFormatInvalid,
  BROKER_ERR_SERVER_UNAVAILABLE: ReasonCode.ServerUnavailable,
  BROKER_ERR_QUOTA_EXCEEDED: ReasonCode.QuotaExceeded,
} as const;

export type BrokerErrorCode = keyof typeof BrokerErrorCatalogue;

export function brokerError(code: BrokerErrorCode, message?: string): BrokerError {
  return new BrokerError(code, BrokerErrorCatalogue[code], message);
}
