import { ControlChannel } from '@repo/control';
import type { SessionPolicy } from '@repo/db';
import { ApiError, ApiErrors } from '../../lib/api-error.js';
import type { AuditLog } from '../../lib/audit.js';
import type { ControlNotifier } from '../../lib/control.js';
import { actorName, type Actor } from '../../lib/roles.js';
import { decodeCursor, encodeCursor } from '../../lib/schemas.js';
import type { SessionPolicyData, SessionPolicyRepository } from './session-policies.repository.js';

export type DropPolicy = 'drop-oldest' | 'drop-new';

/** The policy fields as the API shows and takes them (null = inherit). */
export interface PolicyFields {
  sessionExpiryMax: number | null;
  maxQueued: number | null;
  queueQos0: boolean | null;
  dropPolicy: DropPolicy | null;
  maxInflight: number | null;
  maxPacketSize: number | null;
  keepAliveMax: number | null;
}

export const FIELD_NAMES = ['sessionExpiryMax', 'maxQueued', 'queueQos0', 'dropPolicy', 'maxInflight', 'maxPacketSize', 'keepAliveMax'] as const satisfies ReadonlyArray<keyof PolicyFields>;

export interface DefaultPolicyView extends PolicyFields {
  /** null until the default is first set. */
  updatedAt: string | null;
}

export interface PolicyOverrideView extends PolicyFields {
  id: string;
  target: { type: 'user' | 'group'; name: string };
  createdAt: string;
  updatedAt: string;
}

function fields(row: SessionPolicy | null): PolicyFields {
  return {
    sessionExpiryMax: row?.sessionExpiryMax === null || row?.sessionExpiryMax === undefined ? null : Number(row.sessionExpiryMax),
    maxQueued: row?.maxQueued ?? null,
    queueQos0: row?.queueQos0 ?? null,
    dropPolicy: (row?.dropPolicy ?? null) as DropPolicy | null,
    maxInflight: row?.maxInflight ?? null,
    maxPacketSize: row?.maxPacketSize ?? null,
    keepAliveMax: row?.keepAliveMax ?? null,
  };
}

function toOverride(row: SessionPolicy): PolicyOverrideView {
  return {
    id: row.id,
    target: { type: row.targetType as 'user' | 'group', name: row.targetName },
    ...fields(row),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Every field, those not given as null (PUT and POST replace, PATCH merges). */
function complete(input: Partial<PolicyFields>): SessionPolicyData {
  return Object.fromEntries(FIELD_NAMES.map((name) => [name, input[name] ?? null])) as unknown as SessionPolicyData;
}

function given(input: Partial<PolicyFields>): Partial<SessionPolicyData> {
  return Object.fromEntries(FIELD_NAMES.filter((name) => input[name] !== undefined).map((name) => [name, input[name]])) as Partial<SessionPolicyData>;
}

/**
 * Session policies: the global default and per-user / per-group overrides the brokers apply at
 * CONNECT (and live where MQTT allows). Every change is audited and NOTIFYs policiesChanged.
 */
export function createSessionPolicyService(deps: { repo: SessionPolicyRepository; control: ControlNotifier; audit: AuditLog }) {
  const { repo, control, audit } = deps;
  const changed = (): Promise<void> => control.notify(ControlChannel.policiesChanged);

  const findOverride = async (id: string): Promise<SessionPolicy> => {
    const row = await repo.find(id);
    if (!row) throw new ApiError(ApiErrors.notFound, `No session policy with id ${id}.`, { extensions: { policyId: id } });
    return row;
  };

  return {
    async getDefault(): Promise<DefaultPolicyView> {
      const row = await repo.findDefault();
      return { ...fields(row), updatedAt: row?.updatedAt.toISOString() ?? null };
    },

    async putDefault(actor: Actor, input: Partial<PolicyFields>): Promise<DefaultPolicyView> {
      const before = await repo.findDefault();
      const row = await repo.upsertDefault(complete(input));
      const view = { ...fields(row), updatedAt: row.updatedAt.toISOString() };
      await audit.record({ actor: actorName(actor), action: 'session-policy.default.update', resourceType: 'session-policy', resourceId: row.id, before: before ? fields(before) : null, after: fields(row) });
      await changed();
      return view;
    },

    async list(query: { limit?: number; cursor?: string; targetType?: 'user' | 'group'; name?: string }): Promise<{ items: PolicyOverrideView[]; nextCursor: string | null }> {
      const limit = query.limit ?? 50;
      let after: { targetType: string; targetName: string } | undefined;
      if (query.cursor !== undefined) {
        const decoded = decodeCursor(query.cursor);
        const split = decoded.indexOf('|');
        const targetType = decoded.slice(0, split);
        if (split < 0 || (targetType !== 'user' && targetType !== 'group')) throw new ApiError(ApiErrors.badRequest, 'Invalid cursor.', { extensions: { errors: [{ in: 'querystring', pointer: '/cursor', detail: 'not a cursor of this list' }] } });
        after = { targetType, targetName: decoded.slice(split + 1) };
      }
      const rows = await repo.list({ limit: limit + 1, ...(after ? { after } : {}), ...(query.targetType ? { targetType: query.targetType } : {}), ...(query.name !== undefined ? { name: query.name } : {}) });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return { items: page.map(toOverride), nextCursor: rows.length > limit && last ? encodeCursor(`${last.targetType}|${last.targetName}`) : null };
    },

    async get(id: string): Promise<PolicyOverrideView> {
      return toOverride(await findOverride(id));
    },

    async create(actor: Actor, input: Partial<PolicyFields> & { target: { type: 'user' | 'group'; name: string } }): Promise<PolicyOverrideView> {
      const { target, ...rest } = input;
      const conflict = (): ApiError =>
        new ApiError(ApiErrors.conflict, `A session policy for ${target.type} "${target.name}" exists already; change it with PATCH.`, {
          extensions: { errors: [{ in: 'body', pointer: '/target/name', detail: 'already has a session policy' }] },
        });
      if (await repo.findByTarget(target.type, target.name)) throw conflict();
      let row: SessionPolicy;
      try {
        row = await repo.create(target.type, target.name, complete(rest));
      } catch (error) {
        // A concurrent create of the same target lost the race to the unique index.
        if ((error as { code?: unknown }).code === 'P2002') throw conflict();
        throw error;
      }
      const view = toOverride(row);
      await audit.record({ actor: actorName(actor), action: 'session-policy.create', resourceType: 'session-policy', resourceId: view.id, after: view });
      await changed();
      return view;
    },

    async update(actor: Actor, id: string, input: Partial<PolicyFields>): Promise<PolicyOverrideView> {
      const before = toOverride(await findOverride(id));
      const view = toOverride(await repo.update(id, given(input)));
      await audit.record({ actor: actorName(actor), action: 'session-policy.update', resourceType: 'session-policy', resourceId: id, before, after: view });
      await changed();
      return view;
    },

    async remove(actor: Actor, id: string): Promise<void> {
      const before = toOverride(await findOverride(id));
      await repo.remove(id);
      await audit.record({ actor: actorName(actor), action: 'session-policy.delete', resourceType: 'session-policy', resourceId: id, before });
      await changed();
    },
  };
}

export type SessionPolicyService = ReturnType<typeof createSessionPolicyService>;
