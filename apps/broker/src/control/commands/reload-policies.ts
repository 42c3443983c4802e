import type { PrismaClient } from '@repo/db';
import type { Logger } from '../../observability/logger.js';
import type { SessionPolicyBook } from '../../policies/session-policy-book.js';
import { loadSessionPolicies } from '../../policies/session-policy-store.js';

/**
 * Session policies changed: load them, swap them in, and apply what may change while clients
 * stay connected (see policies/apply-session-policy.ts). Returns how many sessions were updated.
 */
export async function reloadPolicies(deps: { db: Pick<PrismaClient, 'sessionPolicy'>; book: SessionPolicyBook; apply: () => number; log: Logger }): Promise<number> {
  const policies = await loadSessionPolicies(deps.db, (id) => deps.log.warn({ policyId: id }, 'skipping a session policy of unknown target type'));
  deps.book.replace(policies);
  const updated = deps.apply();
  deps.log.info({ policies: policies.length, sessionsUpdated: updated }, 'session policies reloaded');
  return updated;
}
