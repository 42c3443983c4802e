import type { EffectiveSessionPolicy } from './session-policy.js';

/** What CONNECT asked for, before the session policy applies. */
export interface RequestedLimits {
  version: 3 | 4 | 5;
  keepAlive: number;
  sessionExpiryInterval: number;
}

/** The values negotiated at CONNECT (fixed for the connection's life). */
export interface NegotiatedLimits {
  keepAlive: number;
  /** Set when the server overrides the client's Keep Alive (5.0 CONNACK Server Keep Alive). */
  serverKeepAlive: number | undefined;
  sessionExpiryInterval: number;
  /** The Session Expiry Interval was lowered (5.0: CONNACK carries the value in force). */
  sessionExpiryCapped: boolean;
}

/**
 * Applies the keep alive and session expiry caps of a policy to a CONNECT. Keep Alive can only be
 * overridden for 5.0 clients (Server Keep Alive, [MQTT-3.2.2-21]): 3.1.1 cannot be told. A 5.0
 * client asking for no keep alive (0) gets the cap too. A capped Session Expiry Interval is
 * returned to 5.0 clients in CONNACK (3.2.2.3.2).
 */
export function negotiateConnectLimits(requested: RequestedLimits, policy: Pick<EffectiveSessionPolicy, 'keepAliveMax' | 'sessionExpiryMax'>): NegotiatedLimits {
  let keepAlive = requested.keepAlive;
  let serverKeepAlive: number | undefined;
  const cap = policy.keepAliveMax;
  if (requested.version === 5 && cap > 0 && (keepAlive === 0 || keepAlive > cap)) {
    keepAlive = cap;
    serverKeepAlive = cap;
  }
  const sessionExpiryInterval = Math.min(requested.sessionExpiryInterval, policy.sessionExpiryMax);
  return {
    keepAlive,
    serverKeepAlive,
    sessionExpiryInterval,
    sessionExpiryCapped: requested.version === 5 && sessionExpiryInterval !== requested.sessionExpiryInterval,
  };
}
