import type { DeleteRetainedArgs, DeleteRetainedResult } from '@repo/control';
import { topicMatchesFilter } from '@repo/topics';
import type { BrokerContext } from '../../context.js';

/** Removes retained messages (one topic name, or all matching a filter) from memory and the store. */
export async function deleteRetained(ctx: Pick<BrokerContext, 'retained' | 'durable'>, args: DeleteRetainedArgs): Promise<DeleteRetainedResult> {
  const topics = 'topic' in args ? [args.topic] : [...ctx.retained.entries()].map((m) => m.topic).filter((topic) => topicMatchesFilter(args.filter, topic));
  let deleted = 0;
  for (const topic of topics) {
    if (ctx.retained.delete(topic)) deleted++;
    // Also when memory had none: the store must not bring it back at the next start.
    ctx.durable?.retainedRemoved(topic);
  }
  await ctx.durable?.settle();
  return { deleted };
}
