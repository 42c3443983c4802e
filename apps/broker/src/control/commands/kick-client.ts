import type { KickArgs, KickResult } from '@repo/control';
import type { BrokerContext } from '../../context.js';
import { ReasonCode } from '../../protocol/reason-codes.js';
import { CommandError } from './command-error.js';

/**
 * Kicks a client connected to this node: 5.0 gets DISCONNECT 0x98 (Administrative action), 3.1.1
 * a closed socket. The session is kept or discarded and the will sent or dropped as asked; with
 * a ban, bans are reloaded after the connection is gone so that its reconnection is refused.
 * Resolves once the store has the outcome (a discarded session's rows are gone).
 */
export async function kickClient(
  ctx: Pick<BrokerContext, 'sessions' | 'durable' | 'log'>,
  args: KickArgs,
  reloadBans?: () => Promise<void>,
): Promise<KickResult> {
  const connection = ctx.sessions.connection(args.clientId);
  if (!connection) throw new CommandError('not_connected', `client ${args.clientId} is not connected to this node`);
  const outcome = connection.kick(ReasonCode.AdministrativeAction, { discardSession: args.session === 'discard', suppressWill: args.will === 'suppress' });
  ctx.log.info({ clientId: args.clientId, session: args.session, will: args.will }, 'client kicked through the API');
  if (args.reloadBans) await reloadBans?.();
  await ctx.durable?.settle();
  return { kicked: true, willPublished: outcome?.willPublished ?? false, sessionDiscarded: outcome?.sessionDiscarded ?? false };
}
