import { BlockList, isIP } from 'node:net';

export type BanKind = 'client_id' | 'username' | 'ip';

export interface BanEntry {
  readonly id: string;
  readonly kind: BanKind;
  /** Client id, username, or an IPv4/IPv6 address or CIDR block (`10.0.0.0/8`, `2001:db8::/32`). */
  readonly value: string;
  readonly reason: string | null;
  /** null = forever. */
  readonly expiresAt: Date | null;
}

export interface BanSubject {
  readonly clientId: string;
  readonly username: string | undefined;
  readonly remoteAddress: string | undefined;
}

interface IpBan {
  readonly entry: BanEntry;
  readonly block: BlockList;
}

/** `::ffff:1.2.3.4` (an IPv4 client on a dual-stack socket) is 1.2.3.4. */
export function normalizeAddress(address: string): { address: string; family: 'ipv4' | 'ipv6' } | null {
  const unmapped = address.toLowerCase().startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  const version = isIP(unmapped);
  if (version === 0) return null;
  return { address: unmapped, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** An address or CIDR block as a BlockList (also added to `also`); null when the value is neither. */
export function parseIpBan(value: string, also?: BlockList): BlockList | null {
  const [rawAddress, rawPrefix, ...rest] = value.trim().split('/');
  if (rest.length > 0 || rawAddress === undefined) return null;
  const parsed = normalizeAddress(rawAddress);
  if (!parsed) return null;
  const block = new BlockList();
  if (rawPrefix === undefined) {
    block.addAddress(parsed.address, parsed.family);
    also?.addAddress(parsed.address, parsed.family);
    return block;
  }
  if (!/^\d{1,3}$/.test(rawPrefix)) return null;
  const prefix = Number(rawPrefix);
  // A mapped IPv4 block (::ffff:10.0.0.0/104) is the IPv4 block with 96 fewer bits.
  const mapped = parsed.family === 'ipv4' && rawAddress.includes(':');
  const bits = mapped ? prefix - 96 : prefix;
  if (bits < 0 || bits > (parsed.family === 'ipv4' ? 32 : 128)) return null;
  block.addSubnet(parsed.address, bits, parsed.family);
  also?.addSubnet(parsed.address, bits, parsed.family);
  return block;
}

/**
 * The bans in force, held in memory and swapped whole when they change. Lookups are by exact
 * client id or username, or by address against every IP/CIDR ban (node:net BlockList). A ban
 * whose expiresAt has passed is ignored from that moment on, without a reload.
 */
export class BanList {
  private byClientId = new Map<string, BanEntry[]>();
  private byUsername = new Map<string, BanEntry[]>();
  private ipBans: IpBan[] = [];
  /** Every IP ban in one list: one native check for the common case, no ban matching. */
  private anyIp = new BlockList();
  private count = 0;

  constructor(private readonly now: () => number = Date.now) {}

  get size(): number {
    return this.count;
  }

  /** Replaces every ban; returns the values that are not a valid address or CIDR block (skipped). */
  setBans(entries: readonly BanEntry[]): BanEntry[] {
    const byClientId = new Map<string, BanEntry[]>();
    const byUsername = new Map<string, BanEntry[]>();
    const ipBans: IpBan[] = [];
    const anyIp = new BlockList();
    const invalid: BanEntry[] = [];
    for (const entry of entries) {
      if (entry.kind === 'client_id') push(byClientId, entry.value, entry);
      else if (entry.kind === 'username') push(byUsername, entry.value, entry);
      else {
        const block = parseIpBan(entry.value, anyIp);
        if (block) ipBans.push({ entry, block });
        else invalid.push(entry);
      }
    }
    this.byClientId = byClientId;
    this.byUsername = byUsername;
    this.ipBans = ipBans;
    this.anyIp = anyIp;
    this.count = entries.length - invalid.length;
    return invalid;
  }

  /** The ban in force for this client, if any. */
  find(subject: BanSubject): BanEntry | undefined {
    // Checked at every CONNECT: no closures, and nothing to do without bans.
    if (this.count === 0) return undefined;
    const at = this.now();
    const byClient = firstLive(this.byClientId.get(subject.clientId), at);
    if (byClient) return byClient;
    if (subject.username !== undefined) {
      const byUser = firstLive(this.byUsername.get(subject.username), at);
      if (byUser) return byUser;
    }
    if (subject.remoteAddress !== undefined && this.ipBans.length > 0) {
      const address = normalizeAddress(subject.remoteAddress);
      if (address && this.anyIp.check(address.address, address.family)) {
        for (const ban of this.ipBans) if (isLive(ban.entry, at) && ban.block.check(address.address, address.family)) return ban.entry;
      }
    }
    return undefined;
  }
}

function isLive(entry: BanEntry, at: number): boolean {
  return entry.expiresAt === null || entry.expiresAt.getTime() > at;
}

function firstLive(entries: BanEntry[] | undefined, at: number): BanEntry | undefined {
  if (entries) for (const entry of entries) if (isLive(entry, at)) return entry;
  return undefined;
}

function push(map: Map<string, BanEntry[]>, key: string, entry: BanEntry): void {
  const list = map.get(key);
  if (list) list.push(entry);
  else map.set(key, [entry]);
}

/**
 * The key failed authentications are counted under: an IPv4 address, or the /64 network of an
 * IPv6 address (one host usually holds a whole /64, so counting single IPv6 addresses would let
 * it rotate through them). Anything else (not an IP address) as given.
 */
export function lockoutAddressKey(address: string): string {
  const parsed = normalizeAddress(address);
  if (!parsed) return address;
  if (parsed.family === 'ipv4') return parsed.address;
  const [head = '', tail] = parsed.address.toLowerCase().split('%')[0]!.split('::') as [string, string | undefined];
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  // An embedded IPv4 tail (::1.2.3.4) is two groups; it lies in the last 64 bits, so it never matters here.
  const missing = 8 - left.length - right.length - (right.at(-1)?.includes('.') || left.at(-1)?.includes('.') ? 1 : 0);
  const full = [...left, ...Array<string>(Math.max(0, missing)).fill('0'), ...right];
  return `${full.slice(0, 4).map((g) => Number.parseInt(g, 16).toString(16)).join(':')}::/64`;
}
