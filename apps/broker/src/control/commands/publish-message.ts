import type { PublishArgs, PublishResult } from '@repo/control';
import { isValidTopicName } from '@repo/topics';
import type { BrokerContext } from '../../context.js';
import { createMessage } from '../../model/message.js';
import { CommandError } from './command-error.js';

/**
 * Publishes an application message as the platform: retained (if asked) and routed like a
 * client's, with no publishing client (so No Local does not apply) and no ACL check. Resolves
 * once what must be durable is committed.
 */
export async function publishMessage(ctx: Pick<BrokerContext, 'publish' | 'durable' | 'now'>, args: PublishArgs): Promise<PublishResult> {
  if (!isValidTopicName(args.topic) || args.topic.startsWith('$')) throw new CommandError('invalid_command', `cannot publish to ${JSON.stringify(args.topic)}`);
  const userProperties: Record<string, string | string[]> = {};
  for (const [key, value] of args.userProperties ?? []) {
    const existing = userProperties[key];
    userProperties[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  const message = createMessage({
    topic: args.topic,
    payload: Buffer.from(args.payloadBase64, 'base64'),
    qos: args.qos,
    retain: args.retain,
    properties: {
      ...(args.contentType !== undefined ? { contentType: args.contentType } : {}),
      ...(args.messageExpiryInterval !== undefined ? { messageExpiryInterval: args.messageExpiryInterval } : {}),
      ...(args.userProperties?.length ? { userProperties } : {}),
    },
    now: ctx.now(),
  });
  const mark = ctx.durable?.mark() ?? 0;
  const matched = ctx.publish(message);
  await ctx.durable?.commitSince(mark);
  return { matched };
}
