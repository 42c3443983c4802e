import { ReasonCode } from '../protocol/reason-codes.js';

/** Who a connection is, once CONNECT has been accepted. */
export interface Principal {
  readonly clientId: string;
  readonly username: string | undefined;
  readonly anonymous: boolean;
  /** Superusers pass every authorization check except publishing to $SYS/. */
  readonly superuser?: boolean;
  /** Groups of the MQTT user, for group ACL rules. */
  readonly groups?: readonly string[];
  /** The credential that authenticated this principal (re-checked when credentials change). */
  readonly credentialId?: string;
  /** Set when a verified client certificate's CN, not a password, authenticated this principal. */
  readonly clientCertificate?: boolean;
}

export interface ConnectCredentials {
  readonly clientId: string;
  readonly username: string | undefined;
  readonly password: Buffer | undefined;
  readonly remoteAddress: string;
  /** CN of a client certificate verified by the TLS handshake (see MQTT_TLS_CA_FILE). */
  readonly peerCommonName?: string;
}

export type AuthResult = { ok: true; principal: Principal } | { ok: false; reasonCode: number };

/** CONNECT credentials -> Principal, or the CONNACK reason code that refuses them. */
export interface Authenticator {
  authenticate(credentials: ConnectCredentials): AuthResult | Promise<AuthResult>;
}

/**
 * The authenticator used when no credential store is configured: clients are accepted only
 * when anonymous access is allowed (MQTT_ALLOW_ANONYMOUS, off by default).
 */
export function createAnonymousAuthenticator(options: { allowAnonymous: boolean }): Authenticator {
  return {
    authenticate(credentials) {
      if (!options.allowAnonymous) {
        return { ok: false, reasonCode: credentials.username === undefined ? ReasonCode.NotAuthorized : ReasonCode.BadUserNameOrPassword };
      }
      return { ok: true, principal: { clientId: credentials.clientId, username: credentials.username, anonymous: true } };
    },
  };
}
