import type { Message } from '../model/message.js';
import type { Delivery, Session } from '../sessions/session.js';
import { createMessageId } from './message-id.js';
import type { TraceEventFields, TraceEventRecord } from './trace-event.js';
import { ActiveTrace, type TraceSpec, type TraceSubject } from './trace-spec.js';

/** What a traced message carries from its PUBLISH to its deliveries, acknowledgements and drops. */
export interface MessageTrace {
  readonly id: string;
  /** Traces that selected the message when it was received (publisher and topic). */
  readonly traces: readonly ActiveTrace[];
  readonly receivedAt: number;
  /** Shared subscription members chosen while routing it. */
  shared: Array<{ shareName: string; topicFilter: string; clientId: string }> | undefined;
}

/** A subject's matching traces, as of a generation of the trace set. */
export interface SubjectMatch {
  readonly generation: number;
  readonly traces: readonly ActiveTrace[];
}

/** A connection or a session: it holds its own cached match (a field read on the hot path, no lookup). */
export interface Traceable {
  traceMatch: SubjectMatch | null;
}

const NONE: readonly ActiveTrace[] = [];

export interface TracerOptions {
  /** Receives every recorded event (the batch writer). */
  sink?: (record: TraceEventRecord) => void;
  now?: () => number;
  /** Traces whose end time passed (to mark them expired in the store). */
  onExpired?: (traceIds: string[]) => void;
}

/**
 * The broker's view of the running traces. `active` is false while no trace runs: the hot path
 * tests it and does nothing else (`if (ctx.tracer.active) traceX(...)`). While traces run, which
 * of them select a connection (client id, username, ip) is computed once per connection and
 * cached until the set of traces changes; topic filters are checked per message.
 */
export class Tracer {
  active = false;
  private traces: ActiveTrace[] = [];
  /** Bumped whenever the set of traces changes: cached matches older than it are stale. */
  private generation = 0;
  private readonly messages = new WeakMap<Message, MessageTrace>();
  /** When each traced delivery was last sent (for the acknowledgement's elapsed time). */
  private readonly sentAt = new WeakMap<Delivery, number>();
  /** Inbound QoS 2 messages awaiting PUBREL, per publishing session. */
  private readonly awaitingPubrel = new WeakMap<Session, Map<number, MessageTrace>>();
  /** Last known address of a session's client (sessions outlive connections). */
  private readonly sessionAddresses = new WeakMap<Session, string>();
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly sink: (record: TraceEventRecord) => void;
  readonly now: () => number;

  constructor(private readonly options: TracerOptions = {}) {
    this.sink = options.sink ?? (() => {});
    this.now = options.now ?? Date.now;
  }

  get running(): readonly ActiveTrace[] {
    return this.traces;
  }

  /** Replaces the running traces (at start and on every tracesChanged notification). */
  setTraces(specs: readonly TraceSpec[]): void {
    const now = this.now();
    const previous = new Map(this.traces.map((t) => [t.id, t]));
    this.traces = specs
      .filter((spec) => spec.endsAt > now)
      .map((spec) => {
        const known = previous.get(spec.id);
        const trace = new ActiveTrace(spec);
        // Events recorded here but not yet counted in the loaded row stay counted.
        if (known) trace.recorded = Math.max(0, known.spec.eventCount + known.recorded - spec.eventCount);
        return trace;
      });
    this.changed();
  }

  /** Stops everything (broker shutdown). */
  stop(): void {
    this.traces = [];
    this.changed();
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
  }

  private changed(): void {
    this.generation++;
    this.active = this.traces.length > 0;
    this.scheduleExpiry();
  }

  private scheduleExpiry(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    if (this.traces.length === 0) return;
    const next = Math.min(...this.traces.map((t) => t.spec.endsAt));
    // setTimeout holds at most ~24.8 days; traces last at most a day.
    this.expiryTimer = setTimeout(() => this.expire(), Math.max(0, Math.min(next - this.now(), 2 ** 31 - 1)));
    this.expiryTimer.unref();
  }

  private expire(): void {
    const now = this.now();
    const ended = this.traces.filter((t) => t.spec.endsAt <= now);
    this.traces = this.traces.filter((t) => t.spec.endsAt > now);
    this.changed();
    if (ended.length > 0) this.options.onExpired?.(ended.map((t) => t.id));
  }

  /**
   * The cached traces selecting `key` (a connection or a session), or undefined when there is
   * no match yet or the traces changed since: then call matchSubject. (Two steps, so that the
   * hot path allocates nothing.)
   */
  cachedTraces(key: Traceable): readonly ActiveTrace[] | undefined {
    const cached = key.traceMatch;
    return cached !== null && cached.generation === this.generation ? cached.traces : undefined;
  }

  /** Computes and caches the traces selecting `subject` on `key`. */
  matchSubject(key: Traceable, subject: TraceSubject): readonly ActiveTrace[] {
    const traces = this.traces.length === 0 ? NONE : this.traces.filter((t) => t.matchesSubject(subject));
    const result = traces.length === 0 ? NONE : traces;
    key.traceMatch = { generation: this.generation, traces: result };
    return result;
  }

  /** Forgets a cached match (the subject changed, e.g. CONNECT set the client id). */
  forgetSubject(key: Traceable): void {
    key.traceMatch = null;
  }

  /** Remembers a session's client address for matching it while it is offline. */
  setSessionAddress(session: Session, ip: string): void {
    this.sessionAddresses.set(session, ip);
    session.traceMatch = null;
  }

  sessionAddress(session: Session): string | undefined {
    return this.sessionAddresses.get(session);
  }

  /** Registers a received message for `traces` (may be empty: then it is not traced). */
  traceMessage(message: Message, traces: readonly ActiveTrace[]): MessageTrace | undefined {
    if (traces.length === 0) return undefined;
    const info: MessageTrace = { id: createMessageId(this.now()), traces, receivedAt: this.now(), shared: undefined };
    this.messages.set(message, info);
    return info;
  }

  messageTrace(message: Message): MessageTrace | undefined {
    return this.messages.get(message);
  }

  /**
   * Traces that follow one delivery of a message: those that selected the message, plus those
   * selecting the receiving session whose topic filter matches. A message first seen by a trace
   * here (a trace on the subscriber only) gets its id now.
   */
  deliveryTraces(message: Message, sessionTraces: readonly ActiveTrace[]): { info: MessageTrace | undefined; traces: readonly ActiveTrace[] } | undefined {
    let info = this.messages.get(message);
    // The common case while traces run: neither the message nor the receiver is traced.
    if (info === undefined && sessionTraces.length === 0) return undefined;
    let extra: ActiveTrace[] | undefined;
    for (const trace of sessionTraces) {
      if (!trace.matchesTopic(message.topic)) continue;
      if (info && info.traces.includes(trace)) continue;
      (extra ??= []).push(trace);
    }
    if (!extra) return { info, traces: info ? info.traces : NONE };
    if (!info) {
      info = { id: createMessageId(this.now()), traces: NONE, receivedAt: this.now(), shared: undefined };
      this.messages.set(message, info);
    }
    return { info, traces: info.traces.length === 0 ? extra : [...info.traces, ...extra] };
  }

  markSent(delivery: Delivery): void {
    this.sentAt.set(delivery, this.now());
  }

  /** ms since the delivery was (last) sent; null when it was not traced. */
  elapsedSinceSent(delivery: Delivery): number | null {
    const at = this.sentAt.get(delivery);
    return at === undefined ? null : this.now() - at;
  }

  awaitPubrel(session: Session, packetId: number, info: MessageTrace): void {
    let pending = this.awaitingPubrel.get(session);
    if (!pending) {
      pending = new Map();
      this.awaitingPubrel.set(session, pending);
    }
    pending.set(packetId, info);
  }

  takePubrel(session: Session, packetId: number): MessageTrace | undefined {
    const pending = this.awaitingPubrel.get(session);
    const info = pending?.get(packetId);
    if (info) pending!.delete(packetId);
    return info;
  }

  /** Records one event in each of `traces` that still has room. */
  record(traces: readonly ActiveTrace[], fields: TraceEventFields): void {
    if (traces.length === 0) return;
    const at = this.now();
    for (const trace of traces) {
      if (trace.full || trace.spec.endsAt <= at) continue;
      trace.recorded++;
      this.sink({ traceId: trace.id, at, ...fields });
    }
  }
}
