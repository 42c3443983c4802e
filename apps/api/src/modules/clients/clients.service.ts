import { ControlChannel, type DescribeClientResult, type KickResult } from '@repo/control';
import { ApiError, ApiErrors } from '../../lib/api-error.js';
import type { AuditLog } from '../../lib/audit.js';
import { replyError, type BrokerCommandClient } from '../../lib/broker-commands.js';
import type { ControlNotifier } from '../../lib/control.js';
import { actorName, type Actor } from '../../lib/roles.js';
import { decodeCursor, encodeCursor } from '../../lib/schemas.js';
import type { ClientCursor, ClientFilter, ClientRepository, ClientRow, ClientSort } from './clients.repository.js';

/** Queued and in-flight messages shown in a client's detail. */
export const DETAIL_MESSAGE_LIMIT = 100;

export interface ClientView {
  clientId: string;
  username: string | null;
  connected: boolean;
  ip: string | null;
  port: number | null;
  protocolVersion: 3 | 4 | 5;
  keepAlive: number | null;
  cleanStart: boolean;
  sessionExpiryInterval: number;
  connectedAt: string | null;
  disconnectedAt: string | null;
  node: string | null;
  subscriptions: number;
  queued: number;
  inflight: number;
  dropped: number;
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
}

export interface ClientDetailView extends ClientView {
  subscriptionList: DescribeClientResult['subscriptions'];
  queuedMessages: DescribeClientResult['queued'];
  inflightMessages: DescribeClientResult['inflight'];
}

export function toClientView(row: ClientRow): ClientView {
  const { persistent: _persistent, connectedAt, disconnectedAt, ...rest } = row;
  return { ...rest, connectedAt: connectedAt?.toISOString() ?? null, disconnectedAt: disconnectedAt?.toISOString() ?? null };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Keyset pagination over the clients relation (shared by /clients and /sessions). */
export async function pageOfClients(repo: ClientRepository, filter: ClientFilter, sort: ClientSort, query: { limit?: number; cursor?: string }): Promise<Page<ClientView>> {
  const limit = query.limit ?? 50;
  const after = query.cursor === undefined ? undefined : parseCursor(query.cursor);
  const rows = await repo.list(filter, sort, after, limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const nextCursor = rows.length > limit && last ? encodeCursor(JSON.stringify([last.connectedAt?.toISOString() ?? null, last.clientId])) : null;
  return { items: page.map(toClientView), nextCursor };
}

function parseCursor(cursor: string): ClientCursor {
  try {
    const value = JSON.parse(decodeCursor(cursor)) as unknown;
    if (Array.isArray(value) && value.length === 2 && (value[0] === null || typeof value[0] === 'string') && typeof value[1] === 'string') {
      if (value[0] === null || !Number.isNaN(Date.parse(value[0]))) return { key: value[0], clientId: value[1] };
    }
  } catch {
    /* fall through */
  }
  throw new ApiError(ApiErrors.validation, 'Invalid querystring: /cursor: not a cursor of this list.', { extensions: { errors: [{ in: 'querystring', pointer: '/cursor', detail: 'not a cursor of this list' }] } });
}

function notFound(clientId: string, what: string): ApiError {
  return new ApiError(ApiErrors.notFound, `${what} ${JSON.stringify(clientId)}.`, { extensions: { clientId } });
}

export function createClientService(deps: { repo: ClientRepository; commands: BrokerCommandClient; control: ControlNotifier; audit: AuditLog; now?: () => Date }) {
  const { repo, commands, control, audit } = deps;
  const now = deps.now ?? (() => new Date());

  return {
    list(query: { limit?: number; cursor?: string; sort?: ClientSort; connected?: boolean; username?: string; protocolVersion?: number; ip?: string; q?: string }): Promise<Page<ClientView>> {
      const { limit, cursor, sort, ...filter } = query;
      return pageOfClients(repo, filter, sort ?? 'clientId', { ...(limit !== undefined ? { limit } : {}), ...(cursor !== undefined ? { cursor } : {}) });
    },

    /** A client with its subscriptions, queue and in-flight window: from its broker node when connected, from the store when offline. */
    async get(clientId: string): Promise<ClientDetailView> {
      const row = await repo.get(clientId);
      if (!row) throw notFound(clientId, 'No connected client or persistent session with client id');
      if (row.connected) {
        const reply = await commands.run({ kind: 'describe-client', args: { clientId, limit: DETAIL_MESSAGE_LIMIT } }, row.node);
        if (!reply.ok) throw replyError(reply, { clientId });
        const described = reply.result as DescribeClientResult;
        return { ...toClientView(row), subscriptionList: described.subscriptions, queuedMessages: described.queued, inflightMessages: described.inflight };
      }
      const [subscriptions, queued, inflight] = await Promise.all([repo.subscriptions(clientId), repo.queued(clientId, DETAIL_MESSAGE_LIMIT), repo.inflight(clientId, DETAIL_MESSAGE_LIMIT)]);
      return {
        ...toClientView(row),
        subscriptionList: subscriptions.map((s) => ({
          topicFilter: s.topicFilter,
          qos: s.qos as 0 | 1 | 2,
          noLocal: s.noLocal,
          retainAsPublished: s.retainAsPublished,
          retainHandling: s.retainHandling as 0 | 1 | 2,
          subscriptionIdentifier: s.subscriptionIdentifier,
        })),
        queuedMessages: queued.map((q) => ({ ...q, enqueuedAt: q.enqueuedAt.toISOString() })),
        inflightMessages: inflight,
      };
    },

    /** Disconnects a connected client through the node holding it; answers once that node has acted. */
    async kick(actor: Actor, clientId: string, input: { session: 'keep' | 'discard'; will: 'send' | 'suppress'; banSeconds?: number }) {
      const presence = await repo.presence(clientId);
      if (!presence) throw notFound(clientId, 'No connected client with client id');
      let ban: { id: string; expiresAt: Date } | undefined;
      if (input.banSeconds !== undefined) {
        const expiresAt = new Date(now().getTime() + input.banSeconds * 1000);
        const created = await repo.createBan({ value: clientId, reason: `kicked through the API by ${actor.username}`, expiresAt });
        ban = { id: created.id, expiresAt };
        await audit.record({ actor: actorName(actor), action: 'ban.create', resourceType: 'ban', resourceId: created.id, after: { id: created.id, kind: 'client_id', value: clientId, reason: created.reason, expiresAt } });
      }
      const reply = await commands.run({ kind: 'kick', args: { clientId, session: input.session, will: input.will, reloadBans: ban !== undefined } }, presence.node).catch(async (error: unknown) => {
        // No answer (504): the ban the operator asked for stands; every node loads it.
        if (ban) await control.notify(ControlChannel.bansChanged);
        throw error;
      });
      if (!reply.ok) {
        // Not kicked: no ban either.
        if (ban) {
          await repo.removeBan(ban.id);
          await audit.record({ actor: actorName(actor), action: 'ban.delete', resourceType: 'ban', resourceId: ban.id, before: { id: ban.id, kind: 'client_id', value: clientId } });
        }
        throw replyError(reply, { clientId });
      }
      // Other nodes learn about the ban too (the kicking node reloaded it before answering).
      if (ban) await control.notify(ControlChannel.bansChanged);
      const result = reply.result as KickResult;
      const view = {
        clientId,
        kicked: true as const,
        sessionDiscarded: result.sessionDiscarded,
        willPublished: result.willPublished,
        bannedUntil: ban?.expiresAt.toISOString() ?? null,
      };
      await audit.record({ actor: actorName(actor), action: 'client.kick', resourceType: 'client', resourceId: clientId, before: { node: presence.node, username: presence.username }, after: { ...view, session: input.session, will: input.will, ...(ban ? { banId: ban.id } : {}) } });
      return view;
    },

    /** Ends a session, online (disconnect 0x98, discard) or offline (session, subscriptions and queue removed). */
    async expireSession(actor: Actor, clientId: string): Promise<void> {
      const [presence, session] = await Promise.all([repo.presence(clientId), repo.session(clientId)]);
      if (!presence && !session) throw notFound(clientId, 'No connected client or persistent session with client id');
      const reply = await commands.run({ kind: 'expire-sessions', args: { clientIds: [clientId] } }, presence?.node ?? null);
      if (!reply.ok) throw replyError(reply, { clientId });
      // An offline session no broker held in memory: its rows go here.
      if (!presence) await repo.deleteOfflineSessions([clientId]);
      await audit.record({ actor: actorName(actor), action: 'session.expire', resourceType: 'session', resourceId: clientId, before: { connected: presence !== null, node: presence?.node ?? null }, after: null });
    },
  };
}

export type ClientService = ReturnType<typeof createClientService>;
