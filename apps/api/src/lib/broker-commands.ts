import { randomUUID } from 'node:crypto';
import {
  ControlChannel,
  decodeCommandReply,
  encodeCommandNotice,
  type BrokerCommand,
  type CommandReply,
} from '@repo/control';
import type { PrismaClient } from '@repo/db';
import pg from 'pg';
import { ApiError, ApiErrors } from './api-error.js';

export interface BrokerCommandClient {
  /**
   * Writes the command row, NOTIFYs the brokers and resolves with the first reply of the target
   * node (or of any node when `node` is null). Throws API_ERR_BROKER_TIMEOUT (504) when none
   * comes within the deadline.
   */
  run(command: BrokerCommand, node: string | null): Promise<CommandReply>;
  close(): Promise<void>;
}

interface Waiter {
  resolve(reply: CommandReply): void;
  timer: NodeJS.Timeout;
}

/**
 * The API's side of the command channel (see @repo/control): one LISTEN connection on the reply
 * channel, opened on first use and reopened after a failure, shared by every request.
 */
export function createBrokerCommandClient(deps: {
  db: Pick<PrismaClient, 'brokerCommand' | '$executeRaw'>;
  databaseUrl: string | undefined;
  timeoutMs?: number;
}): BrokerCommandClient {
  const timeoutMs = deps.timeoutMs ?? 5000;
  const waiters = new Map<string, Waiter>();
  let listening: Promise<pg.Client> | undefined;
  let closed = false;

  const listen = (): Promise<pg.Client> => {
    if (!deps.databaseUrl) return Promise.reject(new ApiError(ApiErrors.serviceUnavailable, 'Broker commands need the database URL.'));
    listening ??= (async () => {
      const client = new pg.Client({ connectionString: deps.databaseUrl });
      const reset = (): void => {
        listening = undefined;
      };
      client.on('error', reset);
      client.on('end', reset);
      client.on('notification', (message) => {
        if (message.channel !== ControlChannel.commandReply) return;
        const reply = decodeCommandReply(message.payload);
        const waiter = reply ? waiters.get(reply.id) : undefined;
        if (!reply || !waiter) return;
        waiters.delete(reply.id);
        clearTimeout(waiter.timer);
        waiter.resolve(reply);
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${ControlChannel.commandReply}`);
      } catch (error) {
        reset();
        await client.end().catch(() => {});
        throw error;
      }
      return client;
    })();
    return listening;
  };

  return {
    async run(command, node) {
      if (closed) throw new ApiError(ApiErrors.serviceUnavailable, 'The API is shutting down.');
      // Listen first: a reply must not arrive before anyone waits for it.
      await listen();
      const id = randomUUID();
      const reply = new Promise<CommandReply>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(id);
          reject(new ApiError(ApiErrors.brokerTimeout, `No broker answered the ${command.kind} command within ${timeoutMs} ms.`, { extensions: { commandId: id } }));
        }, timeoutMs);
        waiters.set(id, { resolve, timer });
      });
      try {
        await deps.db.brokerCommand.create({ data: { id, kind: command.kind, args: command.args as object, targetNode: node } });
        await deps.db.$executeRaw`SELECT pg_notify(${ControlChannel.command}, ${encodeCommandNotice({ id, kind: command.kind, node })})`;
      } catch (error) {
        const waiter = waiters.get(id);
        if (waiter) clearTimeout(waiter.timer);
        waiters.delete(id);
        reply.catch(() => {});
        throw error;
      }
      return reply;
    },
    async close() {
      closed = true;
      for (const waiter of waiters.values()) clearTimeout(waiter.timer);
      waiters.clear();
      const current = listening;
      listening = undefined;
      if (current) await (await current.catch(() => undefined))?.end().catch(() => {});
    },
  };
}

/** A failed reply as an API error: not_connected -> 404, invalid_command -> 400, anything else -> 502. */
export function replyError(reply: Extract<CommandReply, { ok: false }>, subject: Record<string, unknown> = {}): ApiError {
  if (reply.error.code === 'not_connected') return new ApiError(ApiErrors.notFound, reply.error.detail, { extensions: subject });
  if (reply.error.code === 'invalid_command') return new ApiError(ApiErrors.badRequest, reply.error.detail, { extensions: subject });
  return new ApiError(ApiErrors.brokerFailed, reply.error.detail);
}
