import type { PublishResult } from '@repo/control';
import { isValidTopicName } from '@repo/topics';
import { ApiError, ApiErrors } from '../../lib/api-error.js';
import type { AuditLog } from '../../lib/audit.js';
import { replyError, type BrokerCommandClient } from '../../lib/broker-commands.js';
import { actorName, type Actor } from '../../lib/roles.js';

export interface PublishInput {
  topic: string;
  payload: string;
  payloadEncoding: 'utf8' | 'base64';
  qos: 0 | 1 | 2;
  retain?: boolean;
  properties?: { contentType?: string; messageExpiryInterval?: number; userProperties?: Array<[string, string]> };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function invalid(field: string, detail: string): ApiError {
  return new ApiError(ApiErrors.validation, `Invalid body: /${field}: ${detail}.`, { extensions: { errors: [{ in: 'body', pointer: `/${field}`, detail }] } });
}

export function createPublishService(deps: { commands: BrokerCommandClient; audit: AuditLog }) {
  return {
    /** Publishes as the platform through the brokers; answers once they have routed (and stored) it. */
    async publish(actor: Actor, input: PublishInput): Promise<{ delivered: true; matched: number }> {
      if (!isValidTopicName(input.topic)) throw invalid('topic', 'must be a topic name (no wildcards)');
      if (input.topic.startsWith('$')) throw invalid('topic', "topics starting with '$' are reserved for the broker");
      if (input.payloadEncoding === 'base64' && !BASE64.test(input.payload)) throw invalid('payload', 'is not base64');
      const payload = input.payloadEncoding === 'base64' ? Buffer.from(input.payload, 'base64') : Buffer.from(input.payload, 'utf8');
      const properties = input.properties ?? {};
      const reply = await deps.commands.run(
        {
          kind: 'publish',
          args: {
            topic: input.topic,
            payloadBase64: payload.toString('base64'),
            qos: input.qos,
            retain: input.retain ?? false,
            ...(properties.contentType !== undefined ? { contentType: properties.contentType } : {}),
            ...(properties.messageExpiryInterval !== undefined ? { messageExpiryInterval: properties.messageExpiryInterval } : {}),
            ...(properties.userProperties !== undefined ? { userProperties: properties.userProperties } : {}),
          },
        },
        null,
      );
      if (!reply.ok) throw replyError(reply, { topic: input.topic });
      const { matched } = reply.result as PublishResult;
      await deps.audit.record({
        actor: actorName(actor),
        action: 'message.publish',
        resourceType: 'topic',
        resourceId: input.topic,
        after: { topic: input.topic, qos: input.qos, retain: input.retain ?? false, payloadSize: payload.length, matched },
      });
      return { delivered: true, matched };
    },
  };
}

export type PublishService = ReturnType<typeof createPublishService>;
