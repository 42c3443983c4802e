import type { Principal } from '../auth/authenticator.js';
import type { BrokerContext } from '../context.js';
import { remainingExpirySeconds } from '../model/message.js';
import { DecodeError, PacketDecoder, encodePacket } from '../protocol/codec.js';
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

export type ConnectionState = 'awaiting-connect' | 'connecting' | 'connected' | 'closed';

export type PacketDispatcher = (connection: Connection, packet: Packet) => void | Promise<void>;
export type ErrorTranslator = (connection: Connection, error: unknown) => void;

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
  readonly inboundAliases = new Map<number, string>();
  private readonly outboundAliases = new Map<string, number>();
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

  constructor(
    readonly ctx: BrokerContext,
    readonly transport: Transport,
    private readonly dispatch: PacketDispatcher,
    private readonly translateError: ErrorTranslator,
  ) {
    this.sendQuota = ctx.config.maxInflight;
    this.decoder = new PacketDecoder(ctx.config.maxPacketSize);
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
    try {
      this.decoder.push(bytes, (packet) => {
        this.ctx.metrics.messagesReceived++;
        if (packet.cmd === 'publish') this.messagesIn++;
        this.keepAlive?.touch();
        if (this.busy) this.backlog.push(packet);
        else this.process(packet);
        return this.state !== 'closed';
      });
    } catch (error) {
      this.translateError(this, error);
    }
  }

  private process(packet: Packet): void {
    let result: void | Promise<void>;
    try {
      result = this.dispatch(this, packet);
    } catch (error) {
      this.translateError(this, error);
      return;
    }
    if (result instanceof Promise) {
      this.busy = true;
      this.transport.pause();
      result
        .catch((error: unknown) => this.translateError(this, error))
        .finally(() => {
          this.busy = false;
          this.drainBacklog();
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

  private drainBacklog(): void {
    while (!this.busy && this.backlog.length > 0 && this.state !== 'closed') {
      this.process(this.backlog.shift()!);
    }
  }

  /** Marks CONNECT as accepted. */
  connected(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.state = 'connected';
  }

  send(packet: Packet): void {
    if (this.state === 'closed') return;
    const bytes = encodePacket(packet, this.protocolVersion);
    this.write(bytes);
  }

  private write(bytes: Buffer): void {
    this.ctx.metrics.bytesSent += bytes.length;
    this.bytesOut += bytes.length;
    this.ctx.metrics.messagesSent++;
    this.transport.write(bytes);
  }

  bufferedBytes(): number {
    return this.transport.bufferedBytes();
  }

  sendPublish(delivery: Delivery, packetId: number | undefined, dup: boolean): boolean {
    if (this.state !== 'connected') return true;
    const message = delivery.message;
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
    this.ctx.metrics.publishSent++;
    this.messagesOut++;
    this.ctx.metrics.publishSentByQos[delivery.qos]++;
    this.ctx.metrics.publishBytesSentByQos[delivery.qos] += message.payload.length;
    this.write(bytes);
    if (this.ctx.tracer.active) traceDelivery(this, delivery, packetId, dup);
    return true;
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
