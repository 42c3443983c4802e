import { isIP } from 'node:net';
import { ControlChannel } from '@repo/control';
import type { Ban } from '@repo/db';
import { ApiError, ApiErrors } from '../../lib/api-error.js';
import type { AuditLog } from '../../lib/audit.js';
import type { ControlNotifier } from '../../lib/control.js';
import { actorName, type Actor } from '../../lib/roles.js';
import { decodeCursor, encodeCursor } from '../../lib/schemas.js';
import type { BanRepository } from './bans.repository.js';

export type BanKind = 'client_id' | 'username' | 'ip';

export interface BanView {
  id: string;
  kind: BanKind;
  value: string;
  reason: string | null;
  createdAt: string;
  expiresAt: string | null;
}

function toView(row: Ban): BanView {
  return {
    id: row.id,
    kind: row.kind as BanKind,
    value: row.value,
    reason: row.reason,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
  };
}

/** An IPv4/IPv6 address, or a CIDR block with a prefix length that fits the family. */
export function isIpOrCidr(value: string): boolean {
  const [address = '', prefix, extra] = value.split('/');
  if (extra !== undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

export function createBanService(deps: { repo: BanRepository; control: ControlNotifier; audit: AuditLog; now?: () => Date }) {
  const { repo, control, audit } = deps;
  const now = deps.now ?? (() => new Date());

  return {
    async add(actor: Actor, input: { kind: BanKind; value: string; reason?: string; expiresAt?: string }): Promise<BanView> {
      if (input.kind === 'ip' && !isIpOrCidr(input.value)) {
        throw new ApiError(ApiErrors.validation, `Invalid body: /value: "${input.value}" is not an IP address or CIDR block.`, {
          extensions: { errors: [{ in: 'body', pointer: '/value', detail: 'must be an IPv4/IPv6 address or CIDR block' }] },
        });
      }
      const expiresAt = input.expiresAt === undefined ? null : new Date(input.expiresAt);
      if (expiresAt && expiresAt.getTime() <= now().getTime()) {
        throw new ApiError(ApiErrors.validation, 'Invalid body: /expiresAt: must be in the future.', {
          extensions: { errors: [{ in: 'body', pointer: '/expiresAt', detail: 'must be in the future' }] },
        });
      }
      const view = toView(await repo.create({ kind: input.kind, value: input.value, reason: input.reason ?? null, expiresAt }));
      await audit.record({ actor: actorName(actor), action: 'ban.create', resourceType: 'ban', resourceId: view.id, after: view });
      await control.notify(ControlChannel.bansChanged);
      return view;
    },

    /** Newest first. */
    async list(query: { limit?: number; cursor?: string; kind?: BanKind }): Promise<{ items: BanView[]; nextCursor: string | null }> {
      const limit = query.limit ?? 50;
      let after: { createdAt: Date; id: string } | undefined;
      if (query.cursor !== undefined) {
        const decoded = decodeCursor(query.cursor);
        const split = decoded.indexOf('|');
        const createdAt = new Date(decoded.slice(0, split));
        if (split < 0 || Number.isNaN(createdAt.getTime())) throw new ApiError(ApiErrors.badRequest, 'Invalid cursor.');
        after = { createdAt, id: decoded.slice(split + 1) };
      }
      const rows = await repo.list({ limit: limit + 1, ...(after ? { after } : {}), ...(query.kind ? { kind: query.kind } : {}) });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return { items: page.map(toView), nextCursor: rows.length > limit && last ? encodeCursor(`${last.createdAt.toISOString()}|${last.id}`) : null };
    },

    async remove(actor: Actor, banId: string): Promise<void> {
      const row = await repo.find(banId);
      if (!row) throw new ApiError(ApiErrors.notFound, `No ban with id ${banId}.`, { extensions: { banId } });
      await repo.remove(banId);
      await audit.record({ actor: actorName(actor), action: 'ban.delete', resourceType: 'ban', resourceId: banId, before: toView(row) });
      await control.notify(ControlChannel.bansChanged);
    },
  };
}

export type BanService = ReturnType<typeof createBanService>;
