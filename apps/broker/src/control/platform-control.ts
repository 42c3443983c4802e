import type { PrismaClient } from '@repo/db';
import type { BrokerContext } from '../context.js';
import { PresenceTracker } from '../presence/presence-tracker.js';
import { createCommandExecutor } from './broker-commands.js';
import { startCommandListener, type CommandListener } from './command-listener.js';

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
  return {
    presence,
    async stop() {
      await commands.stop();
      context.sessions.connectionObserver = null;
      await presence.stop();
    },
  };
}
