import type { AuditEvent, Prisma, PrismaClient } from '@repo/db';

export interface AuditEventFilter {
  /** Case-insensitive substring of the actor. */
  actor?: string;
  /** Exact action, or a prefix when it ends with `*` (e.g. `mqtt-user.*`). */
  action?: string;
  resourceType?: string;
  resourceId?: string;
  since?: Date;
  until?: Date;
  /** Resource types the caller may not see. */
  hiddenResourceTypes?: readonly string[];
}

/** The audit log in Postgres, newest first. */
export function createAuditEventRepository(db: PrismaClient) {
  return {
    list: (filter: AuditEventFilter, page: { limit: number; before?: { at: Date; id: string } }): Promise<AuditEvent[]> => {
      const and: Prisma.AuditEventWhereInput[] = [];
      if (filter.actor !== undefined) and.push({ actor: { contains: filter.actor, mode: 'insensitive' } });
      if (filter.action !== undefined) {
        and.push(filter.action.endsWith('*') ? { action: { startsWith: filter.action.slice(0, -1) } } : { action: filter.action });
      }
      if (filter.resourceType !== undefined) and.push({ resourceType: filter.resourceType });
      if (filter.resourceId !== undefined) and.push({ resourceId: filter.resourceId });
      if (filter.since !== undefined) and.push({ at: { gte: filter.since } });
      if (filter.until !== undefined) and.push({ at: { lt: filter.until } });
      if (filter.hiddenResourceTypes?.length) and.push({ resourceType: { notIn: [...filter.hiddenResourceTypes] } });
      if (page.before) and.push({ OR: [{ at: { lt: page.before.at } }, { at: page.before.at, id: { lt: page.before.id } }] });
      return db.auditEvent.findMany({ where: { AND: and }, orderBy: [{ at: 'desc' }, { id: 'desc' }], take: page.limit });
    },
  };
}

export type AuditEventRepository = ReturnType<typeof createAuditEventRepository>;
