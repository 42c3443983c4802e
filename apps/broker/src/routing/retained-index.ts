import { hasWildcard, topicMatchesFilter } from '@repo/topics';
import { isExpired, type Message } from '../model/message.js';

/** Retained messages: the latest per topic name ([MQTT-3.3.1-5]). */
export class RetainedIndex {
  private readonly byTopic = new Map<string, Message>();

  get size(): number {
    return this.byTopic.size;
  }

  /** Stores the message, or deletes the topic's retained message when the payload is empty ([MQTT-3.3.1-6]). */
  set(message: Message): void {
    if (message.payload.length === 0) this.byTopic.delete(message.topic);
    else this.byTopic.set(message.topic, message);
  }

  get(topic: string): Message | undefined {
    return this.byTopic.get(topic);
  }

  delete(topic: string): boolean {
    return this.byTopic.delete(topic);
  }

  /** Unexpired retained messages matching a filter; expired ones are removed on the way. */
  match(filter: string, now: number): Message[] {
    const result: Message[] = [];
    if (!hasWildcard(filter)) {
      const message = this.byTopic.get(filter);
      if (message) {
        if (isExpired(message, now)) this.byTopic.delete(filter);
        else result.push(message);
      }
      return result;
    }
    for (const [topic, message] of this.byTopic) {
      if (!topicMatchesFilter(filter, topic)) continue;
      if (isExpired(message, now)) {
        this.byTopic.delete(topic);
        continue;
      }
      result.push(message);
    }
    return result;
  }

  *entries(): IterableIterator<Message> {
    yield* this.byTopic.values();
  }
}
