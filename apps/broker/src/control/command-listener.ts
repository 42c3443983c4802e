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
import { startPgListener } from './pg-listener.js';

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

  return startPgListener({
    databaseUrl: options.databaseUrl,
    channels: [ControlChannel.command],
    name: 'command listener',
    log,
    onNotification(message) {
      if (message.channel !== ControlChannel.command) return;
      const notice = decodeCommandNotice(message.payload);
      if (!notice) {
        log.warn({ payload: message.payload }, 'control: ignoring a malformed command notification');
        return;
      }
      if (notice.node !== null && notice.node !== nodeId) return;
      handle(notice).catch((error: unknown) => log.error({ err: error, command: notice }, 'control: could not answer a command'));
    },
  });
}
