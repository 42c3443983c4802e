export { isValidTopicName } from './topic-name.js';
export { hasWildcard, isValidTopicFilter, topicMatchesFilter } from './topic-filter.js';
export { isValidSharedSubscription, parseSharedSubscription, SHARED_SUBSCRIPTION_PREFIX } from './shared-subscription.js';
export type { SharedSubscription } from './shared-subscription.js';
export { TopicTrie } from './topic-trie.js';
export { splitLevels, TOPIC_LEVEL_SEPARATOR } from './topic-levels.js';
export { MAX_TOPIC_BYTES, utf8ByteLength } from './topic-length.js';
