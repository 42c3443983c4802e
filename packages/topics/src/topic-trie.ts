import { splitLevels, splitLevelsInto } from './topic-levels.js';
import { isValidTopicFilter } from './topic-filter.js';

const DOLLAR = 0x24; // '$'

/** One level of the trie: the filters that share a prefix of levels. */
class TrieNode<T> {
  /** Children by literal level (an empty level is the key `''`). */
  children: Map<string, TrieNode<T>> | undefined = undefined;
  /** The `+` child, kept apart so matching never looks wildcards up by key. */
  plus: TrieNode<T> | undefined = undefined;
  /** The `#` child (always a leaf). */
  hash: TrieNode<T> | undefined = undefined;
  /** Values subscribed with the filter that ends at this node. */
  values: Set<T> | undefined = undefined;
  /** The filter ending at this node; meaningful only while `values` is set. */
  filter = '';

  isEmpty(): boolean {
    return this.values === undefined && this.children === undefined && this.plus === undefined && this.hash === undefined;
  }
}

/** Working arrays of one match, reused from one match to the next. */
class MatchScratch<T> {
  /** The topic's levels; only the first `depth` entries belong to the current match. */
  readonly levels: string[] = [];
  /** Traversal stack: nodes matched so far, with how many topic levels each has consumed. */
  readonly nodes: TrieNode<T>[] = [];
  readonly depths: number[] = [];
}

/** Past this many levels, the levels array is emptied after a match rather than left pinning the level strings. */
const SCRATCH_KEEP_LEVELS = 64;

/**
 * Values indexed by Topic Filter, answering "which values' filters match this Topic Name" in
 * time that depends on the topic's depth and the wildcards on its way, not on how many filters
 * are stored. Each filter level is a node; literal levels are kept in a Map per node, and `+`
 * and `#` in dedicated slots. Values are compared with `===` and held in a Set per filter.
 *
 * Matching follows `topicMatchesFilter`, including the `$` rule [MQTT-4.7.2-1]. It is iterative,
 * so a topic with tens of thousands of levels cannot exhaust the call stack, and `matchEach`
 * allocates nothing beyond splitting the topic into levels. The visitor may add and remove
 * entries while it runs; which of those changes the ongoing match sees is unspecified.
 */
export class TopicTrie<T> {
  private readonly root = new TrieNode<T>();
  private count = 0;
  /** Taken (set to undefined) while a match runs, so that a match started by a visitor gets its own. */
  private scratch: MatchScratch<T> | undefined = new MatchScratch<T>();

  /** The number of (filter, value) pairs stored. */
  get size(): number {
    return this.count;
  }

  /**
   * Stores `value` under `filter`. Adding the same (filter, value) pair again changes nothing.
   * @throws TypeError if `filter` is not a valid Topic Filter (see `isValidTopicFilter`).
   */
  add(filter: string, value: T): void {
    if (!isValidTopicFilter(filter)) throw new TypeError(`invalid topic filter ${JSON.stringify(filter)}`);
    let node = this.root;
    for (const level of splitLevels(filter)) {
      if (level === '+') {
        node = node.plus ??= new TrieNode<T>();
      } else if (level === '#') {
        node = node.hash ??= new TrieNode<T>();
      } else {
        const children = (node.children ??= new Map<string, TrieNode<T>>());
        let child = children.get(level);
        if (child === undefined) {
          child = new TrieNode<T>();
          children.set(level, child);
        }
        node = child;
      }
    }
    let values = node.values;
    if (values === undefined) {
      values = node.values = new Set<T>();
      node.filter = filter;
    }
    if (!values.has(value)) {
      values.add(value);
      this.count++;
    }
  }

  /**
   * Removes `value` from `filter`, then the nodes left empty. Returns whether it was there.
   * An invalid filter is simply not found.
   */
  remove(filter: string, value: T): boolean {
    const levels = splitLevels(filter);
    const path: TrieNode<T>[] = [];
    let node: TrieNode<T> | undefined = this.root;
    for (const level of levels) {
      path.push(node);
      node = child(node, level);
      if (node === undefined) return false;
    }
    const values = node.values;
    if (values === undefined || !values.delete(value)) return false;
    this.count--;
    if (values.size !== 0) return true;
    node.values = undefined;
    node.filter = '';
    // Prune from the leaf up while nodes are empty; the root stays.
    for (let i = levels.length - 1; i >= 0 && node.isEmpty(); i--) {
      const parent: TrieNode<T> = path[i]!;
      const level = levels[i]!;
      if (level === '+') parent.plus = undefined;
      else if (level === '#') parent.hash = undefined;
      else {
        const children = parent.children!;
        children.delete(level);
        if (children.size === 0) parent.children = undefined;
      }
      node = parent;
    }
    return true;
  }

  /** Whether `value` is stored under exactly `filter` (not: under a filter matching it). */
  has(filter: string, value: T): boolean {
    let node: TrieNode<T> | undefined = this.root;
    for (const level of splitLevels(filter)) {
      node = child(node, level);
      if (node === undefined) return false;
    }
    return node.values !== undefined && node.values.has(value);
  }

  /**
   * Every value whose filter matches the Topic Name `topic`. A value stored under several
   * matching filters appears once per filter; deduplicate if that matters. Order is unspecified.
   */
  match(topic: string): T[] {
    const result: T[] = [];
    this.matchEach(topic, (value) => {
      result.push(value);
    });
    return result;
  }

  /**
   * Calls `visit(value, filter)` for every stored pair whose filter matches the Topic Name
   * `topic`, without building an array. Order is unspecified.
   */
  matchEach(topic: string, visit: (value: T, filter: string) => void): void {
    let scratch = this.scratch;
    if (scratch === undefined) scratch = new MatchScratch<T>();
    else this.scratch = undefined;
    const { levels, nodes, depths } = scratch;
    const depth = splitLevelsInto(topic, levels);
    const root = this.root;
    try {
      // The first level, where a topic starting with '$' escapes '#' and '+' [MQTT-4.7.2-1].
      if (topic.charCodeAt(0) !== DOLLAR) {
        if (root.hash !== undefined) visitValues(root.hash, visit);
        if (root.plus !== undefined) {
          nodes.push(root.plus);
          depths.push(1);
        }
      }
      const first = root.children?.get(levels[0]!);
      if (first !== undefined) {
        nodes.push(first);
        depths.push(1);
      }
      // Each entry is a node that matched the topic's first `i` levels.
      while (nodes.length !== 0) {
        const node = nodes.pop()!;
        const i = depths.pop()!;
        // 'prefix/#' matches the prefix itself as well as anything below it.
        if (node.hash !== undefined) visitValues(node.hash, visit);
        if (i === depth) {
          visitValues(node, visit);
          continue;
        }
        const next = node.children?.get(levels[i]!);
        if (next !== undefined) {
          nodes.push(next);
          depths.push(i + 1);
        }
        if (node.plus !== undefined) {
          nodes.push(node.plus);
          depths.push(i + 1);
        }
      }
    } finally {
      // A visitor that throws leaves entries behind: drop them rather than keep nodes alive.
      nodes.length = 0;
      depths.length = 0;
      // Keep the levels array for the next match unless this topic was unusually deep.
      if (depth > SCRATCH_KEEP_LEVELS) levels.length = 0;
      this.scratch = scratch;
    }
  }

  /** Every stored (filter, value) pair. */
  *entries(): IterableIterator<[string, T]> {
    const stack: TrieNode<T>[] = [this.root];
    while (stack.length !== 0) {
      const node = stack.pop()!;
      if (node.values !== undefined) {
        for (const value of node.values) yield [node.filter, value];
      }
      if (node.hash !== undefined) stack.push(node.hash);
      if (node.plus !== undefined) stack.push(node.plus);
      if (node.children !== undefined) for (const c of node.children.values()) stack.push(c);
    }
  }
}

/** The child of `node` for one filter level, wildcards included. */
function child<T>(node: TrieNode<T>, level: string): TrieNode<T> | undefined {
  if (level === '+') return node.plus;
  if (level === '#') return node.hash;
  return node.children?.get(level);
}

function visitValues<T>(node: TrieNode<T>, visit: (value: T, filter: string) => void): void {
  const values = node.values;
  if (values === undefined) return;
  const filter = node.filter;
  for (const value of values) visit(value, filter);
}
