import pg from 'pg';
import {
  ControlChannel,
  decodeCommandArgs,
  decodeCommandNotice,
  encodeCommandReply,
  type BrokerCommand,
  type CommandNotice,
  type CommandReply,
} from '@repo/control';
import type { PrismaClient } from '@repo/db';
import type { Logger } from '../observability/logger.js';
import { CommandError } from './commands/command-error.js';

export interface CommandListenerOptions {
  databaseUrl: string;
  db: Pick<PrismaClient, 'brokerCommand' | '$executeRaw'>;
  nodeId: string;
  /** Carries out one command; throws CommandError when it cannot. */
  execute(command: BrokerCommand): Promise<unknown>;
  log: Logger;
}

export interface CommandListener {
  stop(): Promise<void>;
}

/**
 * LISTENs on ControlChannel.command. For a notice addressed to this node (or to every node) it
 * reads the command row, validates the arguments, carries the command out, records the outcome in
 * the row and NOTIFYs ControlChannel.commandReply. Reconnects with backoff when Postgres goes away
 * (commands sent meanwhile time out at the API).
 */
export async function startCommandListener(options: CommandListenerOptions): Promise<CommandListener> {
  const { db, log, nodeId } = options;
  let client: pg.Client | null = null;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;

  const reply = async (message: CommandReply): Promise<void> => {
    await db.brokerCommand.updateMany({
      where: { id: message.id, status: 'pending' },
      data: { status: message.ok ? 'done' : 'failed', result: (message.ok ? message.result : message.error) as object, node: nodeId, finishedAt: new Date() },
    });
    await db.$executeRaw`SELECT pg_notify(${ControlChannel.commandReply}, ${encodeCommandReply(message)})`;
  };

  const handle = async (notice: CommandNotice): Promise<void> => {
    const row = await db.brokerCommand.findUnique({ where: { id: notice.id } });
    if (!row) return;
    const command = decodeCommandArgs(notice.kind, row.args);
    if (!command || row.kind !== notice.kind) {
      await reply({ id: notice.id, node: nodeId, ok: false, error: { code: 'invalid_command', detail: `invalid ${notice.kind} command` } });
      return;
    }
    try {
      const result = await options.execute(command);
      await reply({ id: notice.id, node: nodeId, ok: true, result: result ?? null });
    } catch (error) {
      if (error instanceof CommandError) await reply({ id: notice.id, node: nodeId, ok: false, error: { code: error.code, detail: error.message } });
      else {
        log.error({ err: error, command: notice }, 'control: command failed');
        await reply({ id: notice.id, node: nodeId, ok: false, error: { code: 'failed', detail: 'the broker could not carry out the command' } });
      }
    }
  };

  const connect = async (attempt: number): Promise<void> => {
    const next = new pg.Client({ connectionString: options.databaseUrl });
    next.on('error', (error) => log.warn({ err: error }, 'control: command listener connection error'));
    next.on('end', () => {
      if (stopped || client !== next) return;
      client = null;
      log.warn('control: command listener connection lost; reconnecting');
      schedule(1);
    });
    next.on('notification', (message) => {
      if (message.channel !== ControlChannel.command) return;
      const notice = decodeCommandNotice(message.payload);
      if (!notice) {
        log.warn({ payload: message.payload }, 'control: ignoring a malformed command notification');
        return;
      }
      if (notice.node !== null && notice.node !== nodeId) return;
      handle(notice).catch((error: unknown) => log.error({ err: error, command: notice }, 'control: could not answer a command'));
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${ControlChannel.command}`);
    } catch (error) {
      await next.end().catch(() => {});
      if (stopped) return;
      log.warn({ err: error, attempt }, 'control: cannot listen for commands; retrying');
      schedule(attempt + 1);
      return;
    }
    if (stopped) {
      await next.end();
      return;
    }
    client = next;
  };

  const schedule = (attempt: number): void => {
    retryTimer = setTimeout(() => void connect(attempt), Math.min(30_000, 250 * 2 ** Math.min(attempt, 7)));
    retryTimer.unref();
  };

  await connect(0);
  if (!client) throw new Error('control: could not LISTEN for commands');
  return {
    async stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      const current = client;
      client = null;
      await current?.end().catch(() => {});
    },
  };
}
