import type { PrismaClient } from '@repo/db';
import type { BrokerContext } from '../context.js';
import { PresenceTracker } from '../presence/presence-tracker.js';
import { createCommandExecutor } from './broker-commands.js';
import { startCommandListener, type CommandListener } from './command-listener.js';

/** Command rows are kept this long (they record who acted and how), then pruned. */
const COMMAND_RETENTION_HOURS = 24;

export interface PlatformControl {
  readonly presence: PresenceTracker;
  stop(): Promise<void>;
}

/**
 * What the API sees of this node and asks of it: the client_presence rows (started before the
 * listeners, so every connection is tracked) and the command channel (kick, expire sessions,
 * delete retained, publish, describe a client).
 */
export async function startPlatformControl(deps: {
  db: PrismaClient;
  databaseUrl: string;
  context: BrokerContext;
  reloadBans?: () => Promise<void>;
  presenceFlushMs?: number;
  presenceRefreshMs?: number;
}): Promise<PlatformControl> {
  const { context } = deps;
  const presence = new PresenceTracker({
    db: deps.db,
    nodeId: context.config.nodeId,
    connections: () => context.sessions.liveConnections(),
    log: context.log,
    ...(deps.presenceFlushMs !== undefined ? { flushMs: deps.presenceFlushMs } : {}),
    ...(deps.presenceRefreshMs !== undefined ? { refreshMs: deps.presenceRefreshMs } : {}),
  });
  await presence.start();
  context.sessions.connectionObserver = presence;
  let commands: CommandListener;
  try {
    commands = await startCommandListener({
      databaseUrl: deps.databaseUrl,
      db: deps.db,
      nodeId: context.config.nodeId,
      execute: createCommandExecutor(context, deps.reloadBans ? { reloadBans: deps.reloadBans } : {}),
      log: context.log,
    });
  } catch (error) {
    context.sessions.connectionObserver = null;
    await presence.stop();
    throw error;
  }
  const prune = async (): Promise<void> => {
    try {
      await deps.db.$executeRawUnsafe(`DELETE FROM broker_commands WHERE created_at < now() - make_interval(hours => $1)`, COMMAND_RETENTION_HOURS);
    } catch (error) {
      context.log.warn({ err: error }, 'control: could not prune old command rows');
    }
  };
  await prune();
  const pruneTimer = setInterval(() => void prune(), 3_600_000);
  pruneTimer.unref();
  return {
    presence,
    async stop() {
      clearInterval(pruneTimer);
      await commands.stop();
      context.sessions.connectionObserver = null;
      await presence.stop();
    },
  };
}
