import type { ApiToken } from '@repo/db';
import { ApiError, ApiErrors } from '../../lib/api-error.js';
import type { AuditLog } from '../../lib/audit.js';
import { actorName, isRole, roleAtLeast, type Actor, type Role } from '../../lib/roles.js';
import { generateApiToken, sha256Hex } from '../../lib/tokens.js';
import type { IdentityRepository } from './api-tokens.repository.js';

export interface ApiTokenView {
  id: string;
  adminId: string;
  name: string;
  role: Role;
  expiresAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
}

export interface CreatedApiToken extends ApiTokenView {
  /** The bearer token itself: returned by this call only. */
  token: string;
}

export function toApiTokenView(row: ApiToken): ApiTokenView {
  return {
    id: row.id,
    adminId: row.adminId,
    name: row.name,
    role: isRole(row.role) ? row.role : 'viewer',
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

export function createApiTokenService(deps: { repo: IdentityRepository; audit: AuditLog; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());

  /** Issues a token for `adminId` (shown once); its role never exceeds the admin's. */
  async function issue(input: { adminId: string; adminRole: Role; name: string; role?: Role; ttlSeconds?: number }): Promise<CreatedApiToken> {
    const role = input.role ?? input.adminRole;
    if (!roleAtLeast(input.adminRole, role)) {
      throw new ApiError(ApiErrors.forbidden, `A token cannot have role "${role}": the admin has role "${input.adminRole}".`);
    }
    const token = generateApiToken();
    const expiresAt = input.ttlSeconds === undefined ? null : new Date(now().getTime() + input.ttlSeconds * 1000);
    const row = await deps.repo.createToken({ adminId: input.adminId, name: input.name, tokenHash: sha256Hex(token), role, expiresAt });
    return { ...toApiTokenView(row), token };
  }

  return {
    issue,

    /** The actor a bearer token stands for, or null (unknown or expired). Records lastUsedAt. */
    async authenticate(token: string): Promise<Actor | null> {
      const row = await deps.repo.findTokenByHash(sha256Hex(token));
      if (!row) return null;
      const at = now();
      if (row.expiresAt && row.expiresAt.getTime() <= at.getTime()) return null;
      if (row.admin.disabled || !isRole(row.role) || !isRole(row.admin.role)) return null;
      await deps.repo.touchToken(row.id, at);
      // A token never grants more than its admin currently holds.
      const role = roleAtLeast(row.admin.role, row.role) ? row.role : row.admin.role;
      return { adminId: row.adminId, username: row.admin.username, role, tokenId: row.id, via: 'token' };
    },

    async create(actor: Actor, input: { name: string; role?: Role; ttlSeconds?: number }): Promise<CreatedApiToken> {
      const created = await issue({ adminId: actor.adminId, adminRole: actor.role, ...input });
      await deps.audit.record({ actor: actorName(actor), action: 'api-token.create', resourceType: 'api-token', resourceId: created.id, after: { ...created, token: undefined } });
      return created;
    },

    async list(): Promise<ApiTokenView[]> {
      return (await deps.repo.listTokens()).map(toApiTokenView);
    },

    async remove(actor: Actor, id: string): Promise<void> {
      const existing = await deps.repo.findToken(id);
      if (!existing || !(await deps.repo.deleteToken(id))) {
        throw new ApiError(ApiErrors.notFound, `No API token with id ${id}.`, { extensions: { tokenId: id } });
      }
      await deps.audit.record({ actor: actorName(actor), action: 'api-token.delete', resourceType: 'api-token', resourceId: id, before: toApiTokenView(existing) });
    },
  };
}

export type ApiTokenService = ReturnType<typeof createApiTokenService>;
