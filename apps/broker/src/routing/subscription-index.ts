import { TopicTrie, parseSharedSubscription } from '@repo/topics';
import type { Subscription } from '../model/subscription.js';
import type { Session } from '../sessions/session.js';

/** One subscription of one session, as stored in the trie. */
export interface SubscriptionEntry {
  readonly session: Session;
  subscription: Subscription;
}

/** Members of one shared subscription group ($share/{shareName}/{filter}). */
export class SharedGroup {
  readonly members = new Map<string, SubscriptionEntry>();
  private cursor = 0;

  constructor(
    readonly shareName: string,
    readonly filter: string,
  ) {}

  /** Round robin over members, preferring connected sessions. */
  pick(): SubscriptionEntry | undefined {
    const members = [...this.members.values()];
    if (members.length === 0) return undefined;
    for (let i = 0; i < members.length; i++) {
      const candidate = members[(this.cursor + i) % members.length]!;
      if (candidate.session.connected) {
        this.cursor = (this.cursor + i + 1) % members.length;
        return candidate;
      }
    }
    const fallback = members[this.cursor % members.length]!;
    this.cursor = (this.cursor + 1) % members.length;
    return fallback;
  }
}

/**
 * Subscriptions indexed by topic filter: a trie of per-session entries for ordinary
 * subscriptions and a trie of groups for shared subscriptions.
 */
export class SubscriptionIndex {
  readonly direct = new TopicTrie<SubscriptionEntry>();
  readonly shared = new TopicTrie<SharedGroup>();
  private readonly groups = new Map<string, SharedGroup>();
  /** clientId -> topicFilter -> entry, to find entries for removal. */
  private readonly bySession = new Map<string, Map<string, SubscriptionEntry>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(session: Session, subscription: Subscription): void {
    const existing = this.bySession.get(session.clientId)?.get(subscription.topicFilter);
    if (existing && existing.session === session) {
      // [MQTT-3.8.4-3] a subscription with the same filter replaces the existing one.
      existing.subscription = subscription;
      return;
    }
    if (existing) this.remove(existing.session, subscription.topicFilter);
    const entry: SubscriptionEntry = { session, subscription };
    const shared = parseSharedSubscription(subscription.topicFilter);
    if (shared) {
      const key = `${shared.shareName}\u0000${shared.filter}`;
      let group = this.groups.get(key);
      if (!group) {
        group = new SharedGroup(shared.shareName, shared.filter);
        this.groups.set(key, group);
        this.shared.add(shared.filter, group);
      }
      group.members.set(session.clientId, entry);
    } else {
      this.direct.add(subscription.topicFilter, entry);
    }
    let mine = this.bySession.get(session.clientId);
    if (!mine) {
      mine = new Map();
      this.bySession.set(session.clientId, mine);
    }
    mine.set(subscription.topicFilter, entry);
    this.count++;
  }

  remove(session: Session, topicFilter: string): boolean {
    const mine = this.bySession.get(session.clientId);
    const entry = mine?.get(topicFilter);
    if (!mine || !entry || entry.session !== session) return false;
    mine.delete(topicFilter);
    if (mine.size === 0) this.bySession.delete(session.clientId);
    const shared = parseSharedSubscription(topicFilter);
    if (shared) {
      const key = `${shared.shareName}\u0000${shared.filter}`;
      const group = this.groups.get(key);
      if (group) {
        group.members.delete(session.clientId);
        if (group.members.size === 0) {
          this.groups.delete(key);
          this.shared.remove(shared.filter, group);
        }
      }
    } else {
      this.direct.remove(topicFilter, entry);
    }
    this.count--;
    return true;
  }

  removeAll(session: Session): void {
    const mine = this.bySession.get(session.clientId);
    if (!mine) return;
    for (const filter of [...mine.keys()]) this.remove(session, filter);
  }
}
