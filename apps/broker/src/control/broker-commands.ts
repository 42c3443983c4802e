import type { BrokerCommand } from '@repo/control';
import type { BrokerContext } from '../context.js';
import { deleteRetained } from './commands/delete-retained.js';
import { describeClient } from './commands/describe-client.js';
import { expireSessions } from './commands/expire-sessions.js';
import { kickClient } from './commands/kick-client.js';
import { publishMessage } from './commands/publish-message.js';

/** The command table: one function per command kind (see @repo/control). */
export function createCommandExecutor(ctx: BrokerContext, hooks: { reloadBans?: () => Promise<void> } = {}) {
  return async (command: BrokerCommand): Promise<unknown> => {
    switch (command.kind) {
      case 'kick':
        return kickClient(ctx, command.args, hooks.reloadBans);
      case 'expire-sessions':
        return expireSessions(ctx, command.args);
      case 'delete-retained':
        return deleteRetained(ctx, command.args);
      case 'publish':
        return publishMessage(ctx, command.args);
      case 'describe-client':
        return describeClient(ctx, command.args);
    }
  };
}
