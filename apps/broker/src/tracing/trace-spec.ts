import { BlockList, isIP } from 'node:net';
import { isValidTopicFilter, topicMatchesFilter } from '@repo/topics';

export type PayloadEncoding = 'text' | 'base64' | 'hex';

/** What a trace selects; unset fields match everything. All set fields must match. */
export interface TraceFilter {
  /** Exact client identifier, or a pattern where `*` matches any characters. */
  clientId?: string;
  username?: string;
  /** An MQTT topic filter (wildcards allowed) matched against topic names. */
  topicFilter?: string;
  /** An IPv4/IPv6 address or CIDR block. */
  ip?: string;
}

/** A running trace as the broker holds it (loaded from the traces table). */
export interface TraceSpec {
  readonly id: string;
  readonly filter: TraceFilter;
  /** ms since epoch. */
  readonly endsAt: number;
  readonly payloadCaptureBytes: number;
  readonly payloadEncoding: PayloadEncoding;
  readonly maxEvents: number;
  /** Events already stored when the trace was loaded. */
  readonly eventCount: number;
}

/** Who a connection (or an offline session) is, for matching. */
export interface TraceSubject {
  readonly clientId: string;
  readonly username: string | undefined;
  readonly ip: string | undefined;
}

/** A compiled trace: its matchers built once when it is loaded. */
export class ActiveTrace {
  /** Events this node recorded (to stop early at maxEvents; the writer enforces it exactly). */
  recorded = 0;
  /** True when the trace selects connections (client id, username or ip); false: topic only. */
  readonly selectsConnections: boolean;
  readonly topicFilter: string | undefined;
  private readonly clientIdPattern: RegExp | undefined;
  private readonly addresses: BlockList | undefined;

  constructor(readonly spec: TraceSpec) {
    const f = spec.filter;
    this.selectsConnections = f.clientId !== undefined || f.username !== undefined || f.ip !== undefined;
    this.topicFilter = f.topicFilter !== undefined && isValidTopicFilter(f.topicFilter) ? f.topicFilter : undefined;
    this.clientIdPattern = f.clientId !== undefined ? globToRegExp(f.clientId) : undefined;
    this.addresses = f.ip !== undefined ? toBlockList(f.ip) : undefined;
  }

  get id(): string {
    return this.spec.id;
  }

  get full(): boolean {
    return this.spec.eventCount + this.recorded >= this.spec.maxEvents;
  }

  /** Client id, username and ip criteria (the topic filter is checked per message). */
  matchesSubject(subject: TraceSubject): boolean {
    const f = this.spec.filter;
    if (this.clientIdPattern && !this.clientIdPattern.test(subject.clientId)) return false;
    if (f.username !== undefined && subject.username !== f.username) return false;
    if (this.addresses) {
      if (subject.ip === undefined) return false;
      const ip = unmapIpv4(subject.ip);
      const family = isIP(ip);
      if (family === 0 || !this.addresses.check(ip, family === 4 ? 'ipv4' : 'ipv6')) return false;
    }
    return true;
  }

  matchesTopic(topic: string): boolean {
    return this.topicFilter === undefined || topicMatchesFilter(this.topicFilter, topic);
  }
}

/** `*` matches any run of characters; everything else literally. */
export function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`, 's');
}

function toBlockList(value: string): BlockList | undefined {
  const list = new BlockList();
  const [address = '', prefix] = value.split('/');
  const family = isIP(address);
  if (family === 0) return list; // matches nothing
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (prefix === undefined) list.addAddress(address, type);
  else list.addSubnet(address, Number(prefix), type);
  return list;
}

/** `::ffff:10.0.0.1` (IPv4 on a dual-stack socket) -> `10.0.0.1`. */
function unmapIpv4(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}
