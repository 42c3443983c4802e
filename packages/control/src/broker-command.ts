/**
 * Commands from the API to the broker node that holds a client (or to every node), with their
 * replies. The API writes a `broker_commands` row (kind, args, target node), then NOTIFYs
 * ControlChannel.command with a CommandNotice; a node that should act reads the row, acts, records
 * the outcome in the row and NOTIFYs ControlChannel.commandReply with a CommandReply.
 * The arguments travel in the row, not in the notification: NOTIFY payloads are limited to 8000
 * bytes and a published payload may be larger.
 */

export const BROKER_COMMAND_KINDS = ['kick', 'expire-sessions', 'delete-retained', 'publish', 'describe-client'] as const;
export type BrokerCommandKind = (typeof BROKER_COMMAND_KINDS)[number];

/** Disconnect a connected client (5.0: DISCONNECT 0x98 Administrative action; 3.1.1: socket closed). */
export interface KickArgs {
  clientId: string;
  /** 'discard' ends the session as if its Session Expiry Interval were 0. */
  session: 'keep' | 'discard';
  /** 'suppress' drops the will instead of publishing it. */
  will: 'send' | 'suppress';
  /** Reload bans after the kick (the API has just added one for this client). */
  reloadBans: boolean;
}

/** End sessions: a connected client is kicked (session discarded, will sent), an offline one removed with its queue. */
export interface ExpireSessionsArgs {
  clientIds: string[];
}

/** Remove retained messages, one topic name or every topic matching a filter (memory and store). */
export type DeleteRetainedArgs = { topic: string } | { filter: string };

/** Publish an application message as the platform (no client, no ACL check). */
export interface PublishArgs {
  topic: string;
  payloadBase64: string;
  qos: 0 | 1 | 2;
  retain: boolean;
  contentType?: string;
  messageExpiryInterval?: number;
  userProperties?: Array<[string, string]>;
}

/** Report a connected client's subscriptions, queue (first `limit`) and in-flight window. */
export interface DescribeClientArgs {
  clientId: string;
  limit: number;
}

export type BrokerCommand =
  | { kind: 'kick'; args: KickArgs }
  | { kind: 'expire-sessions'; args: ExpireSessionsArgs }
  | { kind: 'delete-retained'; args: DeleteRetainedArgs }
  | { kind: 'publish'; args: PublishArgs }
  | { kind: 'describe-client'; args: DescribeClientArgs };

export interface KickResult {
  kicked: true;
  sessionDiscarded: boolean;
  willPublished: boolean;
}

export interface ExpireSessionsResult {
  /** Client ids whose session this node ended. */
  expired: string[];
  /** How many of them were connected (and were disconnected). */
  kicked: number;
}

export interface DeleteRetainedResult {
  deleted: number;
}

export interface PublishResult {
  /** Sessions the message matched on this node. */
  matched: number;
}

export interface DescribedSubscription {
  topicFilter: string;
  qos: 0 | 1 | 2;
  noLocal: boolean;
  retainAsPublished: boolean;
  retainHandling: 0 | 1 | 2;
  subscriptionIdentifier: number | null;
}

export interface DescribeClientResult {
  subscriptions: DescribedSubscription[];
  queued: Array<{ topic: string; qos: number; payloadSize: number; enqueuedAt: string }>;
  inflight: Array<{ packetId: number; topic: string; qos: number; state: 'publish' | 'pubrel' }>;
}

/** The NOTIFY payload of ControlChannel.command. */
export interface CommandNotice {
  id: string;
  kind: BrokerCommandKind;
  /** Node that must act; null = every node. */
  node: string | null;
}

export type CommandErrorCode = 'not_connected' | 'invalid_command' | 'failed';

/** The NOTIFY payload of ControlChannel.commandReply. */
export type CommandReply =
  | { id: string; node: string; ok: true; result: unknown }
  | { id: string; node: string; ok: false; error: { code: CommandErrorCode; detail: string } };

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const isKind = (value: unknown): value is BrokerCommandKind => (BROKER_COMMAND_KINDS as readonly unknown[]).includes(value);
const isQos = (value: unknown): value is 0 | 1 | 2 => value === 0 || value === 1 || value === 2;

function parse(payload: string | undefined): unknown {
  if (!payload) return undefined;
  try {
    return JSON.parse(payload) as unknown;
  } catch {
    return undefined;
  }
}

export function encodeCommandNotice(notice: CommandNotice): string {
  return JSON.stringify({ id: notice.id, kind: notice.kind, node: notice.node });
}

/** Parses a command notification; null when it is not one. */
export function decodeCommandNotice(payload: string | undefined): CommandNotice | null {
  const value = parse(payload);
  if (!isObject(value) || !isString(value.id) || !isKind(value.kind)) return null;
  if (value.node !== null && !isString(value.node)) return null;
  return { id: value.id, kind: value.kind, node: value.node };
}

export function encodeCommandReply(reply: CommandReply): string {
  return JSON.stringify(reply);
}

/** Parses a reply notification; null when it is not one. */
export function decodeCommandReply(payload: string | undefined): CommandReply | null {
  const value = parse(payload);
  if (!isObject(value) || !isString(value.id) || !isString(value.node)) return null;
  if (value.ok === true) return { id: value.id, node: value.node, ok: true, result: value.result ?? null };
  if (value.ok === false && isObject(value.error) && isString(value.error.code) && isString(value.error.detail)) {
    const code = (['not_connected', 'invalid_command', 'failed'] as const).find((c) => c === (value.error as Json).code) ?? 'failed';
    return { id: value.id, node: value.node, ok: false, error: { code, detail: value.error.detail } };
  }
  return null;
}

/** Checks the arguments (as read from the row) of a command of `kind`; null when they are not valid. */
export function decodeCommandArgs(kind: BrokerCommandKind, args: unknown): BrokerCommand | null {
  if (!isObject(args)) return null;
  switch (kind) {
    case 'kick': {
      const { clientId, session, will, reloadBans } = args;
      if (!isString(clientId) || (session !== 'keep' && session !== 'discard') || (will !== 'send' && will !== 'suppress')) return null;
      return { kind, args: { clientId, session, will, reloadBans: reloadBans === true } };
    }
    case 'expire-sessions': {
      const { clientIds } = args;
      if (!Array.isArray(clientIds) || !clientIds.every(isString)) return null;
      return { kind, args: { clientIds } };
    }
    case 'delete-retained': {
      if (isString(args.topic)) return { kind, args: { topic: args.topic } };
      if (isString(args.filter)) return { kind, args: { filter: args.filter } };
      return null;
    }
    case 'publish': {
      const { topic, payloadBase64, qos, retain, contentType, messageExpiryInterval, userProperties } = args;
      if (!isString(topic) || !isString(payloadBase64) || !isQos(qos) || typeof retain !== 'boolean') return null;
      if (contentType !== undefined && !isString(contentType)) return null;
      if (messageExpiryInterval !== undefined && !(Number.isInteger(messageExpiryInterval) && (messageExpiryInterval as number) >= 0 && (messageExpiryInterval as number) <= 0xffffffff)) return null;
      if (userProperties !== undefined && !(Array.isArray(userProperties) && userProperties.every((p) => Array.isArray(p) && p.length === 2 && isString(p[0]) && isString(p[1])))) return null;
      return {
        kind,
        args: {
          topic,
          payloadBase64,
          qos,
          retain,
          ...(contentType !== undefined ? { contentType } : {}),
          ...(messageExpiryInterval !== undefined ? { messageExpiryInterval: messageExpiryInterval as number } : {}),
          ...(userProperties !== undefined ? { userProperties: userProperties as Array<[string, string]> } : {}),
        },
      };
    }
    case 'describe-client': {
      const { clientId, limit } = args;
      if (!isString(clientId) || !Number.isInteger(limit) || (limit as number) < 0) return null;
      return { kind, args: { clientId, limit: limit as number } };
    }
  }
}
