import type { PrismaClient } from '@repo/db';
import type { AclAuthorizer } from '../../auth/acl-authorizer.js';
import { loadAclRules } from '../../auth/acl-rule-store.js';
import type { Logger } from '../../observability/logger.js';

/** ACL rules changed: load them and swap them in; the next packet and delivery use them. */
export async function reloadAcl(deps: { db: Pick<PrismaClient, 'aclRule'>; authorizer: AclAuthorizer; log: Logger }): Promise<void> {
  const rules = await loadAclRules(deps.db, (id) => deps.log.warn({ ruleId: id }, 'skipping an invalid ACL rule'));
  deps.authorizer.setRules(rules);
  deps.log.info({ rules: rules.length }, 'ACL rules reloaded');
}
