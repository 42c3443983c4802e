import { describe, expect, it } from 'vitest';
import { createMessage } from '../model/message.js';
import { BrokerMetrics } from '../observability/metrics.js';
import { resolveConfig } from '../config.js';
import { Session, type Delivery } from '../sessions/session.js';
import { LocalRouter } from './local-router.js';

const subscription = (topicFilter: string) => ({ topicFilter, qos: 1 as const, noLocal: false, retainAsPublished: false, retainHandling: 0 as const, subscriptionIdentifier: undefined });

describe('LocalRouter', () => {
  it('a subscriber whose delivery throws does not stop delivery to others, and is reported', () => {
    const errors: string[] = [];
    const router = new LocalRouter((session, error) => errors.push(`${session.clientId}: ${(error as Error).message}`));
    const config = resolveConfig();
    const metrics = new BrokerMetrics();
    const broken = new Session('broken', config, metrics);
    broken.deliver = () => {
      throw new Error('encoder failed');
    };
    const healthy = new Session('healthy', config, metrics);
    const received: Delivery[] = [];
    healthy.deliver = (d) => void received.push(d);
    router.subscribe(broken, subscription('a/#'));
    router.subscribe(healthy, subscription('a/+'));
    const matched = router.route(createMessage({ topic: 'a/b', payload: Buffer.from('x'), qos: 1, retain: false, now: Date.now() }));
    expect(matched).toBe(2);
    expect(received).toHaveLength(1);
    expect(errors).toEqual(['broken: encoder failed']);
  });
});
