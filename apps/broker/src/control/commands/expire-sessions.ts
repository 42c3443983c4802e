import type { ExpireSessionsArgs, ExpireSessionsResult } from '@repo/control';
import type { BrokerContext } from '../../context.js';
import { ReasonCode } from '../../protocol/reason-codes.js';

/**
 * Ends sessions held by this node: a connected client is disconnected (0x98) with its session
 * discarded; an offline session is removed with its subscriptions and queued messages (a pending
 * delayed will is published, as at any session end, [MQTT-3.1.2-8]). Unknown ids are skipped.
 */
export async function expireSessions(ctx: Pick<BrokerContext, 'sessions' | 'durable' | 'log'>, args: ExpireSessionsArgs): Promise<ExpireSessionsResult> {
  const expired: string[] = [];
  let kicked = 0;
  for (const clientId of args.clientIds) {
    const connection = ctx.sessions.connection(clientId);
    if (connection) {
      connection.kick(ReasonCode.AdministrativeAction, { discardSession: true });
      expired.push(clientId);
      kicked++;
      continue;
    }
    const session = ctx.sessions.get(clientId);
    if (session && !session.connected) {
      ctx.sessions.end(session);
      expired.push(clientId);
    }
  }
  if (expired.length > 0) ctx.log.info({ expired: expired.length, kicked }, 'sessions expired through the API');
  await ctx.durable?.settle();
  return { expired, kicked };
}
