import type { MessageProperties, QoS } from '../model/message.js';
import type { Subscription } from '../model/subscription.js';

/**
 * The durable side of the broker's state, as a few named writes and one load.
 *
 * Memory is hot, the store is the truth: the broker keeps its state in memory and emits these
 * writes as it changes. Every write returns a promise resolved once it is durable (for the
 * Postgres store: after the COMMIT of the batch that carried it). Writes are applied in the order
 * they were issued. `load()` returns everything needed to rebuild memory at start (restore.ts).
 *
 * Identifiers of messages and deliveries are chosen by the broker (see durable-state.ts), so a
 * write never has to wait for the database to learn an id.
 */
export interface SessionStore {
  upsertSession(session: StoredSession): Promise<void>;
  /** Removes a session with its subscriptions, deliveries and inbound QoS 2 ids. */
  deleteSession(clientId: string): Promise<void>;
  addSubscription(clientId: string, subscription: Subscription): Promise<void>;
  removeSubscription(clientId: string, topicFilter: string): Promise<void>;
  /** A message stored once, however many deliveries refer to it. */
  addMessage(message: StoredMessage): Promise<void>;
  /** Deletes a message no delivery refers to any more. */
  deleteMessage(id: number): Promise<void>;
  addDelivery(delivery: StoredDelivery): Promise<void>;
  updateDelivery(clientId: string, id: number, state: DeliveryState, packetId: number | undefined): Promise<void>;
  deleteDelivery(clientId: string, id: number): Promise<void>;
  addInboundQos2(clientId: string, packetId: number): Promise<void>;
  deleteInboundQos2(clientId: string, packetId: number): Promise<void>;
  setRetained(message: StoredMessage): Promise<void>;
  deleteRetained(topic: string): Promise<void>;
  putWill(will: StoredWill): Promise<void>;
  deleteWill(clientId: string): Promise<void>;
  /** Everything durable, for restore. */
  load(): Promise<StoredState>;
  /** Whether the store is reachable, and how many writes wait for a commit. */
  health(): StoreHealth;
  /** Asks the database whether it answers now (readiness); stores without one omit it. */
  probe?(timeoutMs: number): Promise<boolean>;
  /** Registers who is told the size and commit time of every committed batch (metrics). */
  observeBatches?(observer: (size: number, seconds: number) => void): void;
  /** Commits what is pending, then releases resources. */
  close(): Promise<void>;
}

export interface StoreHealth {
  reachable: boolean;
  pendingWrites: number;
}

/** 'queued': not sent yet; 'inflight': PUBLISH sent, awaiting PUBACK/PUBREC; 'pubrel': awaiting PUBCOMP. */
export type DeliveryState = 'queued' | 'inflight' | 'pubrel';

export interface StoredSession {
  clientId: string;
  /** Session Expiry Interval in seconds (0xFFFFFFFF = never). */
  expiryInterval: number;
  protocolVersion: 3 | 4 | 5;
  username: string | undefined;
  nodeId: string | undefined;
  /** ms since epoch; undefined while connected. */
  disconnectedAt: number | undefined;
  /**
   * The will of the live connection (kept while connected, so that a crash of the broker still
   * publishes it at restart); undefined while disconnected or without a will.
   */
  will?: StoredSessionWill | undefined;
}

export interface StoredSessionWill {
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  properties: MessageProperties & { messageExpiryInterval?: number };
  /** Will Delay Interval, seconds. */
  delayInterval: number;
}

export interface StoredMessage {
  id: number;
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  properties: MessageProperties;
  publisherClientId: string | undefined;
  publisherUsername: string | undefined;
  createdAt: number;
  expiresAt: number | undefined;
}

export interface StoredDelivery {
  /** Broker-assigned, increasing: also the delivery order. */
  id: number;
  clientId: string;
  messageId: number;
  qos: QoS;
  retain: boolean;
  subscriptionIdentifiers: number[];
  state: DeliveryState;
  packetId: number | undefined;
}

export interface StoredWill {
  clientId: string;
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  /** Message properties, with messageExpiryInterval when the will had one. */
  properties: MessageProperties & { messageExpiryInterval?: number };
  username: string | undefined;
  /** ms since epoch. */
  publishAt: number;
}

export interface StoredSessionState extends StoredSession {
  subscriptions: Subscription[];
  /** In delivery order (id ascending). */
  deliveries: StoredDelivery[];
  inboundQos2: number[];
}

export interface StoredState {
  sessions: StoredSessionState[];
  /** Messages referred to by deliveries, by id. */
  messages: Map<number, StoredMessage>;
  retained: StoredMessage[];
  wills: StoredWill[];
  /** Highest message id and delivery id in use (0 when none): the broker continues after them. */
  maxMessageId: number;
  maxDeliveryId: number;
}

/** One write, named: what the write batcher carries. */
export type StoreWrite =
  | { kind: 'session-upsert'; session: StoredSession }
  | { kind: 'session-delete'; clientId: string }
  | { kind: 'subscription-add'; clientId: string; subscription: Subscription }
  | { kind: 'subscription-remove'; clientId: string; topicFilter: string }
  | { kind: 'message-add'; message: StoredMessage }
  | { kind: 'message-delete'; id: number }
  | { kind: 'delivery-add'; delivery: StoredDelivery }
  | { kind: 'delivery-update'; clientId: string; id: number; state: DeliveryState; packetId: number | undefined }
  | { kind: 'delivery-delete'; clientId: string; id: number }
  | { kind: 'inbound-qos2-add'; clientId: string; packetId: number }
  | { kind: 'inbound-qos2-delete'; clientId: string; packetId: number }
  | { kind: 'retained-set'; message: StoredMessage }
  | { kind: 'retained-delete'; topic: string }
  | { kind: 'will-put'; will: StoredWill }
  | { kind: 'will-delete'; clientId: string };

/** The named write methods of a store, expressed through one `write(event)` function. */
export function namedWrites(write: (event: StoreWrite) => Promise<void>): Omit<SessionStore, 'load' | 'close' | 'health'> {
  return {
    upsertSession: (session) => write({ kind: 'session-upsert', session }),
    deleteSession: (clientId) => write({ kind: 'session-delete', clientId }),
    addSubscription: (clientId, subscription) => write({ kind: 'subscription-add', clientId, subscription }),
    removeSubscription: (clientId, topicFilter) => write({ kind: 'subscription-remove', clientId, topicFilter }),
    addMessage: (message) => write({ kind: 'message-add', message }),
    deleteMessage: (id) => write({ kind: 'message-delete', id }),
    addDelivery: (delivery) => write({ kind: 'delivery-add', delivery }),
    updateDelivery: (clientId, id, state, packetId) => write({ kind: 'delivery-update', clientId, id, state, packetId }),
    deleteDelivery: (clientId, id) => write({ kind: 'delivery-delete', clientId, id }),
    addInboundQos2: (clientId, packetId) => write({ kind: 'inbound-qos2-add', clientId, packetId }),
    deleteInboundQos2: (clientId, packetId) => write({ kind: 'inbound-qos2-delete', clientId, packetId }),
    setRetained: (message) => write({ kind: 'retained-set', message }),
    deleteRetained: (topic) => write({ kind: 'retained-delete', topic }),
    putWill: (will) => write({ kind: 'will-put', will }),
    deleteWill: (clientId) => write({ kind: 'will-delete', clientId }),
  };
}
