import type { DescribeClientArgs, DescribeClientResult } from '@repo/control';
import type { BrokerContext } from '../../context.js';
import { CommandError } from './command-error.js';

/** A session held by this node: its subscriptions, the first `limit` queued messages, its in-flight window. */
export function describeClient(ctx: Pick<BrokerContext, 'sessions'>, args: DescribeClientArgs): DescribeClientResult {
  const session = ctx.sessions.get(args.clientId);
  if (!session) throw new CommandError('not_connected', `no session ${args.clientId} on this node`);
  return {
    subscriptions: [...session.subscriptions.values()].map((s) => ({
      topicFilter: s.topicFilter,
      qos: s.qos,
      noLocal: s.noLocal,
      retainAsPublished: s.retainAsPublished,
      retainHandling: s.retainHandling,
      subscriptionIdentifier: s.subscriptionIdentifier ?? null,
    })),
    queued: session.queue.slice(0, args.limit).map((d) => ({
      topic: d.message.topic,
      qos: d.qos,
      payloadSize: d.message.payload.length,
      enqueuedAt: new Date(d.message.createdAt).toISOString(),
    })),
    inflight: [...session.inflight.values()].slice(0, args.limit).map((entry) => ({
      packetId: entry.packetId,
      topic: entry.delivery.message.topic,
      qos: entry.delivery.qos,
      state: entry.state,
    })),
  };
}
