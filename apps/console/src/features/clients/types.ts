/** A client as GET /clients answers (API-CONTRACT: clients and sessions). */
export interface MqttClient {
  clientId: string;
  username: string | null;
  connected: boolean;
  ip: string | null;
  port: number | null;
  protocolVersion: 3 | 4 | 5;
  keepAlive: number | null;
  cleanStart: boolean;
  sessionExpiryInterval: number;
  connectedAt: string | null;
  disconnectedAt: string | null;
  node: string | null;
  subscriptions: number;
  queued: number;
  inflight: number;
  dropped: number;
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
}

export interface ClientSubscription {
  topicFilter: string;
  qos: number;
  noLocal: boolean;
  retainAsPublished: boolean;
  retainHandling: number;
  subscriptionIdentifier: number | null;
}

export interface ClientDetail extends MqttClient {
  subscriptionList: ClientSubscription[];
  queuedMessages: { topic: string; qos: number; payloadSize: number; enqueuedAt: string }[];
  inflightMessages: { packetId: number; topic: string; qos: number; state: string }[];
}

export function protocolName(version: number): string {
  return version === 5 ? 'MQTT 5.0' : version === 4 ? 'MQTT 3.1.1' : version === 3 ? 'MQTT 3.1' : `v${version}`;
}

/** The console's page for one client (client ids may hold '/', so it travels in the query). */
export function clientHref(clientId: string): string {
  return `/clients/client?id=${encodeURIComponent(clientId)}`;
}
