import type { Message } from '../model/message.js';
import type { Subscription } from '../model/subscription.js';
import type { Session } from '../sessions/session.js';

/**
 * THE routing seam: everything that decides who gets a message goes through a Router.
 * LocalRouter (this process's subscription index) is the only implementation today; a router
 * over a message bus can replace it for several nodes without touching the handlers.
 */
export interface Router {
  subscribe(session: Session, subscription: Subscription): void;
  unsubscribe(session: Session, topicFilter: string): boolean;
  /** Removes every subscription of a session (session end). */
  unsubscribeAll(session: Session): void;
  /** Delivers a message to every matching session; returns how many sessions it matched. */
  route(message: Message): number;
  /** Number of subscriptions indexed. */
  readonly subscriptionCount: number;
}
