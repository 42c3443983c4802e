import type { Principal } from '../auth/authenticator.js';
import type { BrokerContext } from '../context.js';
import { hasNoProperties, remainingExpirySeconds } from '../model/message.js';
import { DecodeError, PacketDecoder, encodePacket, encodePlainPublish, publishPacketIdOffset } from '../protocol/codec.js';
import { disconnect, pubrel, type Packet, type ProtocolVersion, type PublishPacket, type PublishProperties } from '../protocol/packets.js';
import { ReasonCode } from '../protocol/reason-codes.js';
import type { KickOptions, KickOutcome, LiveConnection } from '../sessions/session-registry.js';
import type { Delivery, Session, SessionLink } from '../sessions/session.js';
import type { Will } from '../sessions/will.js';
import type { Transport } from '../listeners/transport.js';
import { traceConnectionClosed, traceDelivery, traceServerDisconnect } from '../tracing/hooks.js';
import type { SubjectMatch } from '../tracing/tracer.js';
import type { EffectiveSessionPolicy } from '../policies/session-policy.js';
import { KeepAliveMonitor } from './keepalive.js';
import { OutboundBuffer, scheduleFlush } from './outbound-buffer.js';

export type ConnectionState = 'awaiting-connect' | 'connecting' | 'connected' | 'closed';

export type PacketDispatcher = (connection: Connection, packet: Packet) => void | Promise<void>;
export type ErrorTranslator = (connection: Connection, error: unknown) => void;

/**
 * Backpressure: a subscriber whose socket holds more than this (written, not yet taken by the
 * kernel) makes the publisher that just sent to it stop reading until it drains. At most
 * MAX_PAUSE_MS per wait: a subscriber still not drained then is "stalled" and no longer pauses
 * anyone (its QoS 0 messages are dropped past maxWriteBufferBytes instead) until it drains.
 */
const PAUSE_AT_BYTES = 256 * 1024;
const MAX_PAUSE_MS = 1000;

/** Subscribers over PAUSE_AT_BYTES met while dispatching the current packet (single-threaded, taken after each dispatch). */
const congested: Connection[] = [];

const EMPTY = Buffer.alloc(0);

/**
 * One client connection: reads packets in order, writes packets in order, applies backpressure,
 * and owns the per-connection protocol state (version, keep alive, topic aliases, limits).
 */
export class Connection implements LiveConnection, SessionLink {
  state: ConnectionState = 'awaiting-connect';
  clientId = '';
  protocolVersion: ProtocolVersion = 4;
  session: Session | null = null;
  principal: Principal | null = null;
  will: Will | null = null;
  /** Session Expiry Interval the client asked for in CONNECT (for the DISCONNECT 0 -> non-0 rule). */
  connectSessionExpiry = 0;
  keepAlive: KeepAliveMonitor | null = null;
  /** The client's Receive Maximum capped by the session policy's maxInflight. */
  sendQuota: number;
  /** Receive Maximum the client announced in CONNECT (5.0); 65535 when it did not. */
  clientReceiveMaximum = 65535;
  /** The session policy in force since CONNECT (policies/). */
  sessionPolicy: EffectiveSessionPolicy | null = null;
  clientMaximumPacketSize = Number.POSITIVE_INFINITY;
  clientTopicAliasMaximum = 0;
  private inboundAliasMap: Map<number, string> | undefined;
  private outboundAliasMap: Map<string, number> | undefined;
  /** Topic Aliases the client set (5.0); made on first use, as most clients never use any. */
  get inboundAliases(): Map<number, string> {
    return (this.inboundAliasMap ??= new Map());
  }
  private get outboundAliases(): Map<string, number> {
    return (this.outboundAliasMap ??= new Map());
  }
  /** Inbound QoS 1/2 publications being processed (QoS 2 ones awaiting PUBREL are in the session). */
  inboundProcessing = 0;
  requestProblemInformation = true;
  /** Keep Alive granted at CONNECT (seconds) and Clean Start, for presence. */
  keepAliveSeconds = 0;
  cleanStart = true;
  /** Per-connection counters (presence): PUBLISH packets and bytes, each way. */
  messagesIn = 0;
  messagesOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  readonly decoder: PacketDecoder;
  readonly connectedAt = Date.now();
  private backlog: Packet[] = [];
  /** Acknowledgements waiting for a commit, so that they leave in the order of their packets. */
  private ackTail: Promise<void> | undefined;
  private busy = false;
  private connectTimer: NodeJS.Timeout | undefined;
  private finished = false;
  /** Traces selecting this connection (tracing/, computed at CONNECT, kept until traces change). */
  traceMatch: SubjectMatch | null = null;
  /** Set while kick() disconnects (tracing tells kicks from other server disconnects). */
  private kicking = false;
  /** What this tick wrote, sent in one write at its end. */
  private readonly outbound = new OutboundBuffer();
  /** Publishers waiting for this connection's socket to drain (backpressure). */
  private drainWaiters: (() => void)[] | null = null;
  /** Did not drain within MAX_PAUSE_MS: pauses no one until it drains. */
  private stalled = false;
  private readonly pauseAt: number;

  constructor(
    readonly ctx: BrokerContext,
    readonly transport: Transport,
    private readonly dispatch: PacketDispatcher,
    private readonly translateError: ErrorTranslator,
  ) {
    this.sendQuota = ctx.config.maxInflight;
    this.decoder = new PacketDecoder(ctx.config.maxPacketSize);
    this.pauseAt = Math.min(PAUSE_AT_BYTES, ctx.config.maxWriteBufferBytes >> 1);
  }

  start(): void {
    this.ctx.metrics.socketsOpen++;
    this.ctx.metrics.connectionsTotal++;
    this.connectTimer = setTimeout(() => {
      if (this.state === 'awaiting-connect') {
        this.ctx.log.info({ remote: this.transport.remoteAddress }, 'no CONNECT in time; closing');
        this.close();
      }
    }, this.ctx.config.connectTimeoutMs);
    this.connectTimer.unref();
    this.transport.onData((bytes) => this.onBytes(bytes));
    this.transport.onClose(() => this.onTransportClose());
    this.transport.onDrain(() => this.onDrain());
  }

  get remoteAddress(): string {
    return this.transport.remoteAddress;
  }

  get label(): string {
    return this.clientId || `${this.transport.remoteAddress}:${this.transport.remotePort}`;
  }

  private onBytes(bytes: Buffer): void {
    if (this.state === 'closed') return;
    this.ctx.metrics.bytesReceived += bytes.length;
    this.bytesIn += bytes.length;
    const metrics = this.ctx.metrics;
    const receivedBefore = metrics.messagesReceived;
    try {
      this.decoder.push(bytes, (packet) => {
        metrics.messagesReceived++;
        if (packet.cmd === 'publish') this.messagesIn++;
        if (this.busy) this.backlog.push(packet);
        else this.process(packet);
        return this.state === 'closed' ? false : this.busy ? 'hold' : true;
      });
      // Keep Alive: a complete Control Packet arrived; one clock read per chunk, not per packet.
      if (metrics.messagesReceived !== receivedBefore) this.keepAlive?.touch();
    } catch (error) {
      this.translateError(this, error);
    }
  }

  private process(packet: Packet): void {
    let result: void | Promise<void>;
    // Truncating an array is a runtime call: only when there is something to drop (per packet).
    if (congested.length !== 0) congested.length = 0;
    try {
      result = this.dispatch(this, packet);
    } catch (error) {
      if (congested.length !== 0) congested.length = 0;
      this.translateError(this, error);
      return;
    }
    if (congested.length !== 0 && !(result instanceof Promise)) result = this.waitForSubscribers();
    if (result instanceof Promise) {
      this.busy = true;
      this.transport.pause();
      result
        .catch((error: unknown) => this.translateError(this, error))
        .finally(() => {
          this.busy = false;
          this.drainBacklog();
          // Then what the decoder held back while this connection was busy.
          if (!this.busy && this.state !== 'closed') this.onBytes(EMPTY);
          if (!this.busy && this.state !== 'closed') this.transport.resume();
        });
    }
  }

  /**
   * Runs `action` (which sends an acknowledgement) once `commit` has resolved, and after every
   * acknowledgement queued before it, so that acknowledgements keep their packets' order
   * ([MQTT-4.6.0-2..4]) while the connection goes on reading. Runs now when nothing waits.
   * A failed commit closes the connection instead: nothing is acknowledged that is not durable.
   */
  afterCommit(commit: Promise<void> | undefined, action: () => void): void {
    if (!commit && !this.ackTail) {
      action();
      return;
    }
    const tail: Promise<void> = (this.ackTail ?? Promise.resolve())
      .then(() => commit)
      .then(
        () => {
          if (this.state !== 'closed') action();
        },
        (error: unknown) => {
          this.ctx.log.error({ err: error, client: this.label }, 'durable write failed; closing the connection');
          this.disconnect(ReasonCode.ServerUnavailable, 'storage unavailable');
        },
      )
      .finally(() => {
        if (this.ackTail === tail) this.ackTail = undefined;
      });
    this.ackTail = tail;
  }

  /**
   * Backpressure: stop reading from this publisher until the subscribers its last packet filled
   * up have drained (or MAX_PAUSE_MS passed: those are then marked stalled).
   */
  private waitForSubscribers(): Promise<void> {
    const subscribers = congested.splice(0);
    return new Promise<void>((resolve) => {
      let left = 0;
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        if (--left > 0) return;
        left = 0;
        if (timer) clearTimeout(timer);
        resolve();
      };
      for (const subscriber of subscribers) {
        if (subscriber === this || subscriber.state === 'closed' || !subscriber.isCongested()) continue;
        left++;
        (subscriber.drainWaiters ??= []).push(done);
      }
      if (left === 0) return resolve();
      timer = setTimeout(() => {
        for (const subscriber of subscribers) if (subscriber.drainWaiters && subscriber.isCongested()) subscriber.stalled = true;
        left = 1;
        done();
      }, MAX_PAUSE_MS);
    });
  }

  /** The socket drained (or the queue went down, or the connection closed): wake waiting publishers. */
  private onDrain(): void {
    if (this.state !== 'closed' && this.isCongested()) return;
    this.stalled = false;
    const waiters = this.drainWaiters;
    if (!waiters) return;
    this.drainWaiters = null;
    for (const wake of waiters) wake();
  }

  private drainBacklog(): void {
    while (!this.busy && this.backlog.length > 0 && this.state !== 'closed') {
      this.process(this.backlog.shift()!);
    }
  }

  /** Marks CONNECT as accepted. */
  connected(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    this.state = 'connected';
  }

  send(packet: Packet): void {
    if (this.state === 'closed') return;
    const bytes = encodePacket(packet, this.protocolVersion);
    this.write(bytes);
  }

  /** Queues bytes for this tick's write (see OutboundBuffer); `patchAt`: a packet identifier goes there. */
  private write(bytes: Buffer, patchAt = -1, packetId = 0): void {
    this.ctx.metrics.bytesSent += bytes.length;
    this.bytesOut += bytes.length;
    this.ctx.metrics.messagesSent++;
    if (this.outbound.length === 0) scheduleFlush(this);
    this.outbound.append(bytes, patchAt, packetId);
  }

  /** Hands what this tick wrote to the transport. */
  flush(): void {
    const bytes = this.outbound.take();
    if (bytes && !this.finishedWriting) this.transport.write(bytes);
    // The kernel may have taken it all at once, in which case no 'drain' event follows.
    if (this.drainWaiters !== null) this.onDrain();
  }

  /** The transport was ended or closed: nothing more goes out. */
  private finishedWriting = false;

  bufferedBytes(): number {
    return this.transport.bufferedBytes() + this.outbound.length;
  }

  sendPublish(delivery: Delivery, packetId: number | undefined, dup: boolean): boolean {
    if (this.state !== 'connected') return true;
    const message = delivery.message;
    const v5 = this.protocolVersion === 5;
    if (!dup && (!v5 || (delivery.subscriptionIdentifiers.length === 0 && this.clientTopicAliasMaximum === 0 && hasNoProperties(message)))) {
      // The same bytes for every subscriber at this protocol, QoS and retain flag: encoded once
      // per message; a QoS 1/2 copy gets its packet identifier patched in as it is written.
      const qos = delivery.qos;
      const slot = (v5 ? 6 : 0) + qos * 2 + (delivery.retain ? 1 : 0);
      const cache = (message.encoded ??= []);
      let bytes = cache[slot];
      if (bytes === undefined) cache[slot] = bytes = encodePlainPublish(message.topic, message.payload, qos, delivery.retain, v5);
      // [MQTT-3.1.2-24] never send a packet larger than the client's Maximum Packet Size.
      if (bytes.length > this.clientMaximumPacketSize) return false;
      if (packetId === undefined) this.write(bytes);
      else this.write(bytes, publishPacketIdOffset(bytes), packetId);
      this.published(delivery, packetId, dup);
      return true;
    }
    let topic = message.topic;
    let properties: PublishProperties | undefined;
    let newAlias: number | undefined;
    if (this.protocolVersion === 5) {
      properties = { ...message.properties };
      const expiry = remainingExpirySeconds(message, this.ctx.now());
      if (expiry !== undefined) properties.messageExpiryInterval = expiry;
      const ids = delivery.subscriptionIdentifiers;
      if (ids.length === 1) properties.subscriptionIdentifier = ids[0]!;
      else if (ids.length > 1) properties.subscriptionIdentifier = [...ids];
      if (this.clientTopicAliasMaximum > 0) {
        const alias = this.outboundAliases.get(topic);
        if (alias !== undefined) {
          properties.topicAlias = alias;
          topic = '';
        } else if (this.outboundAliases.size < this.clientTopicAliasMaximum) {
          newAlias = this.outboundAliases.size + 1;
          properties.topicAlias = newAlias;
        }
      }
    }
    const packet: PublishPacket = {
      cmd: 'publish',
      topic,
      payload: message.payload,
      qos: delivery.qos,
      retain: delivery.retain,
      dup,
      ...(packetId !== undefined ? { messageId: packetId } : {}),
      ...(properties ? { properties } : {}),
    };
    const bytes = encodePacket(packet, this.protocolVersion);
    if (bytes.length > this.clientMaximumPacketSize) {
      // [MQTT-3.1.2-24] never send a packet larger than the client's Maximum Packet Size.
      return false;
    }
    if (newAlias !== undefined) this.outboundAliases.set(message.topic, newAlias);
    this.write(bytes);
    this.published(delivery, packetId, dup);
    return true;
  }

  /** Bookkeeping of a PUBLISH written to this subscriber, whichever encoding path it took: counters, trace, backpressure. */
  private published(delivery: Delivery, packetId: number | undefined, dup: boolean): void {
    const metrics = this.ctx.metrics;
    metrics.publishSent++;
    metrics.publishSentByQos[delivery.qos]++;
    metrics.publishBytesSentByQos[delivery.qos] += delivery.message.payload.length;
    this.messagesOut++;
    if (this.ctx.tracer.active) traceDelivery(this, delivery, packetId, dup);
    this.noteCongestion();
  }

  /** After a PUBLISH to this subscriber: past the backpressure threshold, the publisher will wait for it. */
  private noteCongestion(): void {
    if (!this.stalled && (this.drainWaiters !== null || this.isCongested())) congested.push(this);
  }

  /** Backpressure: its socket buffer is past the mark, or its session's queue is. */
  private isCongested(): boolean {
    const session = this.session;
    return this.bufferedBytes() > this.pauseAt || (session !== null && session.queue.length >= session.pauseAt);
  }

  /** Past the backpressure mark: writers that can wait should (see onceWritable). */
  isBackedUp(): boolean {
    return this.bufferedBytes() > this.pauseAt;
  }

  /** Calls `resume` once the socket has drained (or the connection closed). */
  onceWritable(resume: () => void): void {
    (this.drainWaiters ??= []).push(resume);
  }

  queueGrowing(): void {
    this.noteCongestion();
  }

  queueShrunk(): void {
    if (this.drainWaiters !== null && !this.isCongested()) this.onDrain();
  }

  sendPubrel(packetId: number): void {
    this.send(pubrel(packetId));
  }

  /** Sends DISCONNECT (5.0 only, and only after CONNECT was accepted), then closes. */
  disconnect(reasonCode: number, reasonString?: string): void {
    if (this.state === 'closed') return;
    if (this.ctx.tracer.active) traceServerDisconnect(this, this.kicking ? 'kick' : 'disconnect', reasonCode, reasonString);
    if (this.protocolVersion === 5 && this.state === 'connected') {
      this.send(disconnect(reasonCode, this.requestProblemInformation ? reasonString : undefined));
    }
    this.close();
  }

  /** Flushes and closes the network connection. */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    // Detach from the session now, not when the peer has closed its side too: what is published
    // meanwhile is queued for the session (4.1), not "sent" into a closed connection and lost, or
    // parked in flight and later resent with DUP 1 although never sent ([MQTT-3.3.1-3]).
    this.finish();
    this.flush();
    this.finishedWriting = true;
    this.transport.end();
  }

  takeOver(): void {
    this.ctx.log.info({ clientId: this.clientId }, 'session taken over by a new connection');
    // Detach from the session now, before the new connection resumes it.
    this.finish();
    this.disconnect(ReasonCode.SessionTakenOver, 'session taken over');
  }

  kick(reasonCode: number, options: KickOptions = {}): KickOutcome {
    this.kicking = true;
    if (options.suppressWill) this.will = null;
    const willPublished = this.will !== null && !this.ctx.shuttingDown;
    // Discarding: the session ends with the connection, as if its Session Expiry Interval were 0.
    if (options.discardSession && this.session) this.session.expiryInterval = 0;
    const sessionDiscarded = !this.session || this.session.expiryInterval === 0;
    this.disconnect(reasonCode, 'disconnected by the server');
    return { willPublished, sessionDiscarded };
  }

  private onTransportClose(): void {
    this.ctx.metrics.socketsOpen--;
    this.state = 'closed';
    this.finishedWriting = true;
    this.outbound.clear();
    this.onDrain();
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.finish();
  }

  /** Ends this connection's hold on its session: will, then detach. Runs once. */
  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.keepAlive?.stop();
    this.backlog = [];
    const session = this.session;
    if (!session) return;
    if (this.ctx.tracer.active) traceConnectionClosed(this, this.will !== null && !this.ctx.shuttingDown);
    if (this.will && !this.ctx.shuttingDown) {
      this.ctx.wills.trigger(this.clientId, this.principal?.username, this.will, this.will.delayInterval);
    }
    this.will = null;
    this.ctx.sessions.detach(this, session);
  }
}

export { DecodeError };
