/** The API's trace shapes (GET /api/v1/traces...), as the console reads them. */
export interface TraceFilter {
  clientId?: string;
  username?: string;
  topicFilter?: string;
  ip?: string;
}

export type TraceStatus = 'running' | 'stopped' | 'expired';

export interface Trace {
  id: string;
  name: string;
  filter: TraceFilter;
  status: TraceStatus;
  startedAt: string;
  endsAt: string;
  stoppedAt: string | null;
  eventCount: number;
  maxEvents: number;
  payloadCaptureBytes: number;
  payloadEncoding: 'text' | 'base64' | 'hex';
}

export interface TraceEvent {
  id: string;
  seq: number;
  at: string;
  node: string;
  type: string;
  clientId: string | null;
  username: string | null;
  messageId: string | null;
  topic: string | null;
  qos: number | null;
  packetId: number | null;
  reason: string | null;
  detail: Record<string, unknown>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseTrace(value: unknown): Trace | undefined {
  if (!isObject(value) || typeof value.id !== 'string' || typeof value.name !== 'string' || typeof value.status !== 'string' || !isObject(value.filter)) return undefined;
  return value as unknown as Trace;
}

export function parseTraceEvent(value: unknown): TraceEvent | undefined {
  if (!isObject(value) || typeof value.seq !== 'number' || typeof value.type !== 'string' || typeof value.at !== 'string') return undefined;
  return value as unknown as TraceEvent;
}

export function parseTraceList(value: unknown): { items: Trace[]; nextCursor: string | null } | undefined {
  if (!isObject(value) || !Array.isArray(value.items)) return undefined;
  const items = value.items.map(parseTrace);
  if (items.some((t) => t === undefined)) return undefined;
  return { items: items as Trace[], nextCursor: typeof value.nextCursor === 'string' ? value.nextCursor : null };
}

export function parseJourney(value: unknown): { messageId: string; events: TraceEvent[] } | undefined {
  if (!isObject(value) || typeof value.messageId !== 'string' || !Array.isArray(value.events)) return undefined;
  const events = value.events.map(parseTraceEvent);
  if (events.some((e) => e === undefined)) return undefined;
  return { messageId: value.messageId, events: events as TraceEvent[] };
}

/** "clientId sensor-* · topic a/#" */
export function describeFilter(filter: TraceFilter): string {
  const parts: string[] = [];
  if (filter.clientId) parts.push(`client ${filter.clientId}`);
  if (filter.username) parts.push(`user ${filter.username}`);
  if (filter.topicFilter) parts.push(`topic ${filter.topicFilter}`);
  if (filter.ip) parts.push(`ip ${filter.ip}`);
  return parts.join(' · ') || 'everything';
}
