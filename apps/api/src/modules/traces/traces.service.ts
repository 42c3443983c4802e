import { isValidTopicFilter } from '@repo/topics';
import { ControlChannel } from '@repo/control';
import type { Trace, TraceEvent } from '@repo/db';
import { ApiError, ApiErrors } from '../../lib/api-error.js';
import type { AuditLog } from '../../lib/audit.js';
import type { ControlNotifier } from '../../lib/control.js';
import { actorName, type Actor } from '../../lib/roles.js';
import { decodeCursor, encodeCursor } from '../../lib/schemas.js';
import { isIpOrCidr } from '../bans/bans.service.js';
import type { TraceRepository } from './traces.repository.js';

export type TraceStatus = 'running' | 'stopped' | 'expired';
export type PayloadEncoding = 'text' | 'base64' | 'hex';

export interface TraceFilter {
  clientId?: string;
  username?: string;
  topicFilter?: string;
  ip?: string;
}

export interface TraceView {
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
  payloadEncoding: PayloadEncoding;
}

export interface TraceEventView {
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

export interface CreateTraceInput {
  name: string;
  filter: TraceFilter;
  durationSeconds: number;
  payloadCaptureBytes: number;
  payloadEncoding: PayloadEncoding;
  maxEvents: number;
}

function toFilter(value: unknown): TraceFilter {
  const f = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const out: TraceFilter = {};
  for (const key of ['clientId', 'username', 'topicFilter', 'ip'] as const) if (typeof f[key] === 'string') out[key] = f[key];
  return out;
}

export function toTraceView(row: Trace): TraceView {
  return {
    id: row.id,
    name: row.name,
    filter: toFilter(row.filter),
    status: row.status as TraceStatus,
    startedAt: row.startedAt.toISOString(),
    endsAt: row.endsAt.toISOString(),
    stoppedAt: row.stoppedAt?.toISOString() ?? null,
    eventCount: row.eventCount,
    maxEvents: row.maxEvents,
    payloadCaptureBytes: row.payloadCaptureBytes,
    payloadEncoding: row.payloadEncoding as PayloadEncoding,
  };
}

export function toEventView(row: TraceEvent): TraceEventView {
  return {
    id: row.id.toString(),
    seq: row.seq,
    at: row.at.toISOString(),
    node: row.node,
    type: row.type,
    clientId: row.clientId,
    username: row.username,
    messageId: row.messageId,
    topic: row.topic,
    qos: row.qos,
    packetId: row.packetId,
    reason: row.reason,
    detail: (typeof row.detail === 'object' && row.detail !== null && !Array.isArray(row.detail) ? row.detail : {}) as Record<string, unknown>,
  };
}

function invalid(pointer: string, detail: string): ApiError {
  return new ApiError(ApiErrors.validation, `Invalid body: ${pointer}: ${detail}.`, { extensions: { errors: [{ in: 'body', pointer, detail }] } });
}

function decodeSeqCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const seq = Number(decodeCursor(cursor));
  if (!Number.isInteger(seq) || seq < 0) throw new ApiError(ApiErrors.badRequest, 'Invalid cursor.');
  return seq;
}

/** Traces: operators start, stop and delete them (brokers are told over tracesChanged); viewers read events. */
export function createTraceService(deps: { repo: TraceRepository; control: ControlNotifier; audit: AuditLog; now?: () => Date }) {
  const { repo, control, audit } = deps;
  const now = deps.now ?? (() => new Date());

  /** One read; a running trace past its end time is marked expired first (brokers do it too, but none may run). */
  const get = async (traceId: string): Promise<TraceView> => {
    let row = await repo.find(traceId);
    if (row?.status === 'running' && row.endsAt.getTime() <= now().getTime()) {
      await repo.expireEnded();
      row = await repo.find(traceId);
    }
    if (!row) throw new ApiError(ApiErrors.notFound, `No trace with id ${traceId}.`, { extensions: { traceId } });
    return toTraceView(row);
  };

  return {
    get,

    async create(actor: Actor, input: CreateTraceInput): Promise<TraceView> {
      const filter: TraceFilter = {};
      for (const key of ['clientId', 'username', 'topicFilter', 'ip'] as const) {
        const value = input.filter[key];
        if (value !== undefined && value !== '') filter[key] = value;
      }
      if (Object.keys(filter).length === 0) throw invalid('/filter', 'must set at least one of clientId, username, topicFilter, ip');
      if (filter.topicFilter !== undefined && !isValidTopicFilter(filter.topicFilter)) throw invalid('/filter/topicFilter', 'is not a valid MQTT topic filter');
      if (filter.ip !== undefined && !isIpOrCidr(filter.ip)) throw invalid('/filter/ip', 'must be an IPv4/IPv6 address or CIDR block');
      const startedAt = now();
      const row = await repo.create({
        name: input.name,
        filter: { ...filter },
        startedAt,
        endsAt: new Date(startedAt.getTime() + input.durationSeconds * 1000),
        payloadCaptureBytes: input.payloadCaptureBytes,
        payloadEncoding: input.payloadEncoding,
        maxEvents: input.maxEvents,
        createdBy: actorName(actor),
      });
      const view = toTraceView(row);
      await audit.record({ actor: actorName(actor), action: 'trace.create', resourceType: 'trace', resourceId: view.id, after: view });
      await control.notify(ControlChannel.tracesChanged, view.id);
      return view;
    },

    /** Newest first. */
    async list(query: { limit?: number; cursor?: string; status?: TraceStatus }): Promise<{ items: TraceView[]; nextCursor: string | null }> {
      await repo.expireEnded();
      const limit = query.limit ?? 50;
      let after: { startedAt: Date; id: string } | undefined;
      if (query.cursor !== undefined) {
        const decoded = decodeCursor(query.cursor);
        const split = decoded.indexOf('|');
        const startedAt = new Date(decoded.slice(0, split));
        if (split < 0 || Number.isNaN(startedAt.getTime())) throw new ApiError(ApiErrors.badRequest, 'Invalid cursor.');
        after = { startedAt, id: decoded.slice(split + 1) };
      }
      const rows = await repo.list({ limit: limit + 1, ...(after ? { after } : {}), ...(query.status ? { status: query.status } : {}) });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return { items: page.map(toTraceView), nextCursor: rows.length > limit && last ? encodeCursor(`${last.startedAt.toISOString()}|${last.id}`) : null };
    },

    async stop(actor: Actor, traceId: string): Promise<TraceView> {
      const before = await get(traceId);
      if (before.status !== 'running') {
        throw new ApiError(ApiErrors.conflict, `Trace ${traceId} is not running (status ${before.status}).`, { extensions: { traceId, status: before.status } });
      }
      const row = await repo.stop(traceId, now());
      if (!row) throw new ApiError(ApiErrors.conflict, `Trace ${traceId} is not running.`, { extensions: { traceId } });
      const view = toTraceView(row);
      await audit.record({ actor: actorName(actor), action: 'trace.stop', resourceType: 'trace', resourceId: traceId, before, after: view });
      await control.notify(ControlChannel.tracesChanged, traceId);
      return view;
    },

    async remove(actor: Actor, traceId: string): Promise<void> {
      const before = await get(traceId);
      await repo.remove(traceId);
      await audit.record({ actor: actorName(actor), action: 'trace.delete', resourceType: 'trace', resourceId: traceId, before });
      await control.notify(ControlChannel.tracesChanged, traceId);
    },

    async events(traceId: string, query: { limit?: number; cursor?: string; type?: string; clientId?: string; messageId?: string }): Promise<{ items: TraceEventView[]; nextCursor: string | null }> {
      await get(traceId);
      const limit = query.limit ?? 50;
      const afterSeq = decodeSeqCursor(query.cursor);
      const rows = await repo.events({
        traceId,
        limit: limit + 1,
        ...(afterSeq !== undefined ? { afterSeq } : {}),
        ...(query.type !== undefined ? { type: query.type } : {}),
        ...(query.clientId !== undefined ? { clientId: query.clientId } : {}),
        ...(query.messageId !== undefined ? { messageId: query.messageId } : {}),
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return { items: page.map(toEventView), nextCursor: rows.length > limit && last ? encodeCursor(String(last.seq)) : null };
    },

    /** Events after `afterSeq`, in order, in pages (live stream and export). */
    async eventsAfter(traceId: string, afterSeq: number, limit: number): Promise<TraceEventView[]> {
      return (await repo.events({ traceId, afterSeq, limit })).map(toEventView);
    },

    /** One message's journey: every event carrying its id, in order. */
    async message(traceId: string, messageId: string): Promise<{ messageId: string; events: TraceEventView[] }> {
      await get(traceId);
      const rows = await repo.events({ traceId, messageId, limit: 10_000 });
      if (rows.length === 0) throw new ApiError(ApiErrors.notFound, `Trace ${traceId} recorded no message ${messageId}.`, { extensions: { traceId, messageId } });
      return { messageId, events: rows.map(toEventView) };
    },
  };
}

export type TraceService = ReturnType<typeof createTraceService>;
