/** The first level of the broker's own topics. */
export const SYS_LEVEL = '$SYS';

/**
 * Whether the Topic Name or Topic Filter `topic` is under `$SYS` (case sensitive: `$sys/x` is
 * an ordinary `$` topic). Nobody publishes there; a subscription there needs an explicit rule.
 */
export function isSysTopic(topic: string): boolean {
  return topic === SYS_LEVEL || topic.startsWith(`${SYS_LEVEL}/`);
}
