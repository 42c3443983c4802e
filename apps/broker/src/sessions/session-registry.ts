import type { Principal } from '../auth/authenticator.js';
import type { BrokerConfig } from '../config.js';
import type { BrokerMetrics } from '../observability/metrics.js';
import type { DurableState } from '../persistence/durable-state.js';
import type { Router } from '../routing/router.js';
import { Session } from './session.js';
import { traceSessionExpired } from '../tracing/hooks.js';
import type { Tracer } from '../tracing/tracer.js';
import type { WillPublisher } from './will-delay.js';

/** The side of a live connection the registry needs: to take it over or close it. */
export interface LiveConnection {
  readonly clientId: string;
  readonly principal: Principal | null;
  /** The peer's address (for IP bans). */
  readonly remoteAddress?: string;
  /** Closes the connection because another one took its session over ([MQTT-3.1.4-3]). */
  takeOver(): void;
  /** Closes the connection with a DISCONNECT reason code (5.0) for administrative reasons. */
  kick(reasonCode: number, options?: KickOptions): KickOutcome | void;
}

export interface KickOptions {
  /** End the session with the connection (as if its Session Expiry Interval were 0). */
  discardSession?: boolean;
  /** Drop the will instead of publishing it. */
  suppressWill?: boolean;
}

export interface KickOutcome {
  willPublished: boolean;
  sessionDiscarded: boolean;
}

/** Told when a connection becomes the live one of its client id, and when it stops being it (presence). */
export interface ConnectionObserver {
  attached(connection: LiveConnection, session: Session): void;
  detached(connection: LiveConnection): void;
}

export const NEVER_EXPIRES = 0xffffffff;

/**
 * clientId -> Session, which sessions are connected, and session expiry: a session outlives its
 * connection when its expiry interval is not 0 ([MQTT-3.1.2-23]) and is removed once that
 * interval has passed ([MQTT-4.1.0-2]).
 */
export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();
  private readonly live = new Map<string, LiveConnection>();
  private readonly offline = new Set<Session>();
  private sweeper: NodeJS.Timeout | undefined;
  connectionObserver: ConnectionObserver | null = null;

  constructor(
    private readonly config: BrokerConfig,
    private readonly metrics: BrokerMetrics,
    private readonly router: Router,
    private readonly wills: WillPublisher,
    private readonly now: () => number = Date.now,
    private readonly durable?: DurableState,
    private readonly tracer?: Tracer,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  get connectedCount(): number {
    return this.live.size;
  }

  /** Persistent sessions whose client is not connected. */
  get disconnectedCount(): number {
    return this.offline.size;
  }

  get(clientId: string): Session | undefined {
    return this.sessions.get(clientId);
  }

  connection(clientId: string): LiveConnection | undefined {
    return this.live.get(clientId);
  }

  *all(): IterableIterator<Session> {
    yield* this.sessions.values();
  }

  create(clientId: string): Session {
    const session = new Session(clientId, this.config, this.metrics, this.now);
    if (this.durable) session.observer = this.durable;
    if (this.tracer) session.tracer = this.tracer;
    this.sessions.set(clientId, session);
    return session;
  }

  /** Restore: a persistent session rebuilt from the store, as disconnected. */
  restore(session: Session): void {
    if (this.durable) session.observer = this.durable;
    if (this.tracer) session.tracer = this.tracer;
    this.sessions.set(session.clientId, session);
    this.offline.add(session);
  }

  /** Marks a connection as the live one for its client id. */
  attach(connection: LiveConnection, session: Session): void {
    this.live.set(connection.clientId, connection);
    this.offline.delete(session);
    if (this.live.size > this.metrics.clientsMaximum) this.metrics.clientsMaximum = this.live.size;
    this.connectionObserver?.attached(connection, session);
  }

  /** The connection ended. The session stays if its expiry interval is not 0. */
  detach(connection: LiveConnection, session: Session): void {
    if (this.live.get(connection.clientId) === connection) {
      this.live.delete(connection.clientId);
      this.connectionObserver?.detached(connection);
    }
    if (this.sessions.get(session.clientId) !== session) return; // already replaced
    session.detach(this.now());
    if (session.expiryInterval === 0) this.end(session);
    else {
      this.offline.add(session);
      this.durable?.sessionDetached(session);
    }
  }

  /** Ends a session: its subscriptions go, a pending delayed will is published ([MQTT-3.1.2-8]). */
  end(session: Session): void {
    if (this.sessions.get(session.clientId) !== session) return;
    this.sessions.delete(session.clientId);
    this.offline.delete(session);
    this.router.unsubscribeAll(session);
    this.durable?.sessionEnded(session);
    this.wills.publishPending(session.clientId);
  }

  /** Removes expired disconnected sessions; returns how many. */
  sweep(): number {
    const now = this.now();
    let expired = 0;
    for (const session of this.offline) {
      if (session.expiryInterval === NEVER_EXPIRES || session.disconnectedAt === undefined) continue;
      if (session.disconnectedAt + session.expiryInterval * 1000 <= now) {
        if (this.tracer?.active) traceSessionExpired(this.tracer, session);
        this.end(session);
        this.metrics.clientsExpired++;
        expired++;
      }
    }
    return expired;
  }

  startSweeper(): void {
    this.sweeper = setInterval(() => this.sweep(), this.config.sessionExpirySweepMs);
    this.sweeper.unref();
  }

  stopSweeper(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }

  liveConnections(): LiveConnection[] {
    return [...this.live.values()];
  }
}
