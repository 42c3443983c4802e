import type { DeleteRetainedResult } from '@repo/control';
import type { RetainedMessage } from '@repo/db';
import { isValidTopicFilter, isValidTopicName, splitLevels, topicMatchesFilter } from '@repo/topics';
import { ApiError, ApiErrors } from '../../lib/api-error.js';
import type { AuditLog } from '../../lib/audit.js';
import { replyError, type BrokerCommandClient } from '../../lib/broker-commands.js';
import { actorName, type Actor } from '../../lib/roles.js';
import { decodeCursor, encodeCursor } from '../../lib/schemas.js';
import type { RetainedMessageRepository, RetainedSummaryRow } from './retained-messages.repository.js';

const PREVIEW_CHARS = 120;
/** Rows read per round while filtering with wildcards. */
const SCAN_CHUNK = 500;

export interface RetainedSummaryView {
  topic: string;
  qos: number;
  payloadSize: number;
  payloadPreview: string | null;
  publisherClientId: string | null;
  publisherUsername: string | null;
  storedAt: string;
  expiresAt: string | null;
}

export interface RetainedMessageView {
  topic: string;
  qos: number;
  payloadBase64: string;
  payloadText: string | null;
  contentType: string | null;
  payloadFormatIndicator: 0 | 1 | null;
  userProperties: Array<[string, string]>;
  publisherClientId: string | null;
  publisherUsername: string | null;
  storedAt: string;
  expiresAt: string | null;
}

function invalid(part: 'querystring' | 'body', field: string, detail: string): ApiError {
  return new ApiError(ApiErrors.validation, `Invalid ${part}: /${field}: ${detail}.`, { extensions: { errors: [{ in: part, pointer: `/${field}`, detail }] } });
}

/** UTF-8 text of the first bytes, cut to PREVIEW_CHARS characters; null when the bytes are not UTF-8. */
export function payloadPreview(head: Uint8Array, complete: boolean): string | null {
  let text: string;
  try {
    // stream: an incomplete sequence at the end of a truncated head is not an error.
    text = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: !complete });
  } catch {
    return null;
  }
  return Array.from(text).slice(0, PREVIEW_CHARS).join('');
}

/** The literal levels of a filter before its first wildcard, as a topic prefix ('a/b/+' -> 'a/b/'). */
export function literalPrefix(filter: string): string {
  const levels = splitLevels(filter);
  const literal: string[] = [];
  for (const level of levels) {
    if (level === '+' || level === '#') return literal.length > 0 ? `${literal.join('/')}/` : '';
    literal.push(level);
  }
  return filter;
}

function toSummary(row: RetainedSummaryRow): RetainedSummaryView {
  return {
    topic: row.topic,
    qos: row.qos,
    payloadSize: row.payloadSize,
    payloadPreview: payloadPreview(row.head, row.head.length >= row.payloadSize),
    publisherClientId: row.publisherClientId || null,
    publisherUsername: row.publisherUsername,
    storedAt: row.storedAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
  };
}

function userPropertyPairs(value: unknown): Array<[string, string]> {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, v]) => (Array.isArray(v) ? v.map((x) => [key, String(x)] as [string, string]) : [[key, String(v)] as [string, string]]));
}

function toMessage(row: RetainedMessage): RetainedMessageView {
  const payload = Buffer.from(row.payload);
  const properties = (row.properties ?? {}) as Record<string, unknown>;
  const indicator = properties.payloadFormatIndicator;
  return {
    topic: row.topic,
    qos: row.qos,
    payloadBase64: payload.toString('base64'),
    payloadText: payloadPreview(payload, true) === null ? null : payload.toString('utf8'),
    contentType: typeof properties.contentType === 'string' ? properties.contentType : null,
    payloadFormatIndicator: indicator === undefined || indicator === null ? null : indicator === true || indicator === 1 ? 1 : 0,
    userProperties: userPropertyPairs(properties.userProperties),
    publisherClientId: row.publisherClientId || null,
    publisherUsername: row.publisherUsername,
    storedAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
  };
}

export function createRetainedMessageService(deps: { repo: RetainedMessageRepository; commands: BrokerCommandClient; audit: AuditLog }) {
  const { repo, commands, audit } = deps;

  const checkTopic = (topic: string): void => {
    if (!isValidTopicName(topic)) throw invalid('querystring', 'topic', 'must be a topic name (no wildcards)');
  };

  return {
    /** Retained messages matching a topic filter (default '#'), in topic order. */
    async list(query: { filter?: string; limit?: number; cursor?: string }): Promise<{ items: RetainedSummaryView[]; nextCursor: string | null }> {
      const filter = query.filter ?? '#';
      if (!isValidTopicFilter(filter)) throw invalid('querystring', 'filter', 'must be a topic filter');
      const limit = query.limit ?? 50;
      let after: string | null = query.cursor === undefined ? null : decodeCursor(query.cursor);
      const prefix = literalPrefix(filter);
      const items: RetainedSummaryView[] = [];
      let more = false;
      for (;;) {
        const rows = await repo.scan(prefix, after, SCAN_CHUNK);
        for (const row of rows) {
          if (!topicMatchesFilter(filter, row.topic)) continue;
          if (items.length === limit) {
            more = true;
            break;
          }
          items.push(toSummary(row));
        }
        if (more || rows.length < SCAN_CHUNK) break;
        after = rows.at(-1)!.topic;
      }
      const last = items.at(-1);
      return { items, nextCursor: more && last ? encodeCursor(last.topic) : null };
    },

    async get(topic: string): Promise<RetainedMessageView> {
      checkTopic(topic);
      const row = await repo.get(topic);
      if (!row) throw new ApiError(ApiErrors.notFound, `No retained message on topic ${JSON.stringify(topic)}.`, { extensions: { topic } });
      return toMessage(row);
    },

    /** Deletes one retained message from the brokers' memory and the store. */
    async delete(actor: Actor, topic: string): Promise<void> {
      checkTopic(topic);
      const row = await repo.get(topic);
      if (!row) throw new ApiError(ApiErrors.notFound, `No retained message on topic ${JSON.stringify(topic)}.`, { extensions: { topic } });
      const reply = await commands.run({ kind: 'delete-retained', args: { topic } }, null);
      if (!reply.ok) throw replyError(reply, { topic });
      await audit.record({ actor: actorName(actor), action: 'retained.delete', resourceType: 'retained-message', resourceId: topic, before: { topic, qos: row.qos, payloadSize: row.payload.length, storedAt: row.createdAt } });
    },

    /** Deletes every retained message matching a filter. */
    async deleteMatching(actor: Actor, filter: string): Promise<{ deleted: number }> {
      if (!isValidTopicFilter(filter)) throw invalid('body', 'filter', 'must be a topic filter');
      const reply = await commands.run({ kind: 'delete-retained', args: { filter } }, null);
      if (!reply.ok) throw replyError(reply, { filter });
      const { deleted } = reply.result as DeleteRetainedResult;
      await audit.record({ actor: actorName(actor), action: 'retained.bulk-delete', resourceType: 'retained-message', resourceId: filter, after: { filter, deleted } });
      return { deleted };
    },
  };
}

export type RetainedMessageService = ReturnType<typeof createRetainedMessageService>;
