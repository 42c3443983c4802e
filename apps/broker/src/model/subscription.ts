import type { QoS } from './message.js';

export type RetainHandling = 0 | 1 | 2;

/** A session's subscription with the 5.0 subscription options spelled out. */
export interface Subscription {
  /** The filter as the client sent it, including any `$share/{group}/` prefix. */
  readonly topicFilter: string;
  readonly qos: QoS;
  readonly noLocal: boolean;
  readonly retainAsPublished: boolean;
  readonly retainHandling: RetainHandling;
  readonly subscriptionIdentifier: number | undefined;
}
