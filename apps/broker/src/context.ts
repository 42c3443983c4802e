import type { Authenticator } from './auth/authenticator.js';
import type { Authorizer } from './auth/authorizer.js';
import type { BrokerConfig } from './config.js';
import type { Logger } from './observability/logger.js';
import type { BrokerMetrics } from './observability/metrics.js';
import type { RetainedIndex } from './routing/retained-index.js';
import type { Router } from './routing/router.js';
import type { SessionRegistry } from './sessions/session-registry.js';
import type { WillPublisher } from './sessions/will-delay.js';
import type { Message } from './model/message.js';
import type { DurableState } from './persistence/durable-state.js';
import type { Tracer } from './tracing/tracer.js';
import type { SessionPolicyBook } from './policies/session-policy-book.js';

/** What handlers may use: the broker's parts, passed in (no module-level singletons). */
export interface BrokerContext {
  readonly config: BrokerConfig;
  readonly log: Logger;
  readonly metrics: BrokerMetrics;
  readonly router: Router;
  readonly retained: RetainedIndex;
  readonly sessions: SessionRegistry;
  readonly wills: WillPublisher;
  /** Durable state (persistent sessions, retained, wills) when a SessionStore is configured. */
  readonly durable: DurableState | undefined;
  readonly authenticator: Authenticator;
  readonly authorizer: Authorizer;
  /** Message tracing; `tracer.active` is false while no trace runs. */
  readonly tracer: Tracer;
  /** Session policies in force (limits applied at CONNECT, some live). */
  readonly policies: SessionPolicyBook;
  readonly now: () => number;
  /** Retains (if flagged) and routes a message: the one path for client, will and $SYS messages. */
  publish(message: Message): number;
  readonly shuttingDown: boolean;
}
