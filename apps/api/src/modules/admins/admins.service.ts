import type { Admin } from '@repo/db';
import { ApiError, ApiErrors } from '../../lib/api-error.js';
import type { AuditLog } from '../../lib/audit.js';
import { actorName, isRole, type Actor, type Role } from '../../lib/roles.js';
import { decodeCursor, encodeCursor } from '../../lib/schemas.js';
import { isUniqueViolation } from '../mqtt-users/mqtt-users.repository.js';
import type { AdminChanges, AdminRepository } from './admins.repository.js';

export interface AdminView {
  id: string;
  username: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

function toView(row: Admin): AdminView {
  return {
    id: row.id,
    username: row.username,
    role: isRole(row.role) ? row.role : 'viewer',
    disabled: row.disabled,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** True unless `before` is the only enabled admin with role admin and `after` would not be one. */
function keepsAnAdmin(activeAdminIds: string[], before: Admin, after: { role: string; disabled: boolean } | null): boolean {
  const wasActiveAdmin = activeAdminIds.includes(before.id);
  const staysActiveAdmin = after !== null && after.role === 'admin' && !after.disabled;
  return !wasActiveAdmin || staysActiveAdmin || activeAdminIds.length > 1;
}

/** Admin accounts: argon2id passwords, roles, disabling; there is always one enabled admin. */
export function createAdminService(deps: { repo: AdminRepository; audit: AuditLog; hasher: { hash(password: string): Promise<string> } }) {
  const { repo, audit } = deps;

  const lastAdmin = (id: string): ApiError =>
    new ApiError(ApiErrors.lastAdmin, 'This is the last enabled admin with role "admin"; create or promote another one first.', { extensions: { adminId: id } });
  const notFound = (id: string): ApiError => new ApiError(ApiErrors.notFound, `No admin with id ${id}.`, { extensions: { adminId: id } });

  return {
    async list(query: { limit?: number; cursor?: string }): Promise<{ items: AdminView[]; nextCursor: string | null }> {
      const limit = query.limit ?? 50;
      const rows = await repo.list({ limit: limit + 1, ...(query.cursor !== undefined ? { after: decodeCursor(query.cursor) } : {}) });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return { items: page.map(toView), nextCursor: rows.length > limit && last ? encodeCursor(last.username) : null };
    },

    async get(id: string): Promise<AdminView> {
      const row = await repo.find(id);
      if (!row) throw notFound(id);
      return toView(row);
    },

    async create(actor: Actor, input: { username: string; password: string; role: Role }): Promise<AdminView> {
      let row: Admin;
      try {
        row = await repo.create({ username: input.username, passwordHash: await deps.hasher.hash(input.password), role: input.role });
      } catch (error) {
        if (isUniqueViolation(error)) throw new ApiError(ApiErrors.conflict, `An admin named "${input.username}" exists already.`, { extensions: { username: input.username } });
        throw error;
      }
      const view = toView(row);
      await audit.record({ actor: actorName(actor), action: 'admin.create', resourceType: 'admin', resourceId: row.id, after: view });
      return view;
    },

    async update(actor: Actor, id: string, input: { role?: Role; password?: string; disabled?: boolean }): Promise<AdminView> {
      const changes: AdminChanges = {};
      if (input.role !== undefined) changes.role = input.role;
      if (input.disabled !== undefined) changes.disabled = input.disabled;
      if (input.password !== undefined) changes.passwordHash = await deps.hasher.hash(input.password);
      const result = await repo.update(id, changes, (active, before) =>
        keepsAnAdmin(active, before, { role: changes.role ?? before.role, disabled: changes.disabled ?? before.disabled }),
      );
      if (result === 'not-found') throw notFound(id);
      if (result === 'last-admin') throw lastAdmin(id);
      const after = toView(result.after);
      await audit.record({
        actor: actorName(actor),
        action: 'admin.update',
        resourceType: 'admin',
        resourceId: id,
        before: toView(result.before),
        // The password itself is never recorded; that it changed is.
        after: input.password === undefined ? after : { ...after, password: '[changed]' },
      });
      return after;
    },

    async remove(actor: Actor, id: string): Promise<void> {
      const result = await repo.remove(id, (active, before) => keepsAnAdmin(active, before, null));
      if (result === 'not-found') throw notFound(id);
      if (result === 'last-admin') throw lastAdmin(id);
      await audit.record({ actor: actorName(actor), action: 'admin.delete', resourceType: 'admin', resourceId: id, before: toView(result) });
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
