import { availableParallelism } from 'node:os';
import pLimit from 'p-limit';
import { ApiErrors } from '../../lib/api-error.js';
import type { AuditEntry } from '../../lib/audit.js';
import { actorName, type Actor } from '../../lib/roles.js';
import type { MqttUserBulkRepository } from './mqtt-users-bulk.repository.js';

export interface BulkItem {
  username: string;
  password?: string;
  groups?: string[];
  superuser?: boolean;
  enabled?: boolean;
  credentialLabel?: string;
}

export type BulkMode = 'all-or-nothing' | 'best-effort';

export interface BulkResult {
  index: number;
  username: string;
  status: 'created' | 'error';
  userId?: string;
  credentialId?: string;
  /** The generated password, when the item had none: in this response only. */
  password?: string;
  error?: { code: string; detail: string };
}

export interface BulkOutcome {
  created: number;
  failed: number;
  results: BulkResult[];
}

/**
 * argon2id hashes computed at once. argon2 runs on libuv's pool (4 threads by default), which
 * logins, the broker-facing NOTIFY path and file I/O share: a bulk request takes at most this
 * many, one per core and never more than 4, so a 5,000-user import leaves the API responsive.
 */
export const DEFAULT_HASH_CONCURRENCY = Math.max(1, Math.min(4, availableParallelism()));

const conflict = ApiErrors.conflict.code;

/**
 * Creates many MQTT users, each with one credential, in one request:
 * - `all-or-nothing`: one transaction; any item's error (duplicate in the request, username
 *   taken) means nothing is written and every item reports an error;
 * - `best-effort`: the good items are written (still one transaction), the others report their error.
 * Names are checked before any password is hashed, so a doomed all-or-nothing request costs no
 * argon2 time. Generated passwords are returned once; audit rows are written with the users.
 */
export function createMqttUserBulkService(deps: {
  repo: MqttUserBulkRepository;
  hasher: { hash(password: string): Promise<string>; generate(): string };
  hashConcurrency?: number;
}) {
  const concurrency = deps.hashConcurrency ?? DEFAULT_HASH_CONCURRENCY;

  return {
    async create(actor: Actor, input: { items: BulkItem[]; mode: BulkMode }): Promise<BulkOutcome> {
      const { items, mode } = input;
      const errors = new Map<number, { code: string; detail: string }>();
      const firstIndex = new Map<string, number>();
      items.forEach((item, index) => {
        const first = firstIndex.get(item.username);
        if (first !== undefined) errors.set(index, { code: conflict, detail: `Username "${item.username}" appears earlier in this request (item ${first}).` });
        else firstIndex.set(item.username, index);
      });
      const existing = await deps.repo.existingUsernames([...firstIndex.keys()]);
      items.forEach((item, index) => {
        if (!errors.has(index) && existing.has(item.username)) errors.set(index, { code: conflict, detail: `An MQTT user named "${item.username}" exists already.` });
      });

      const fail = (reason: Map<number, { code: string; detail: string }>): BulkOutcome => {
        const results = items.map((item, index): BulkResult => ({
          index,
          username: item.username,
          status: 'error',
          error: reason.get(index) ?? { code: ApiErrors.conflict.code, detail: 'Not created: another item failed and the request is all-or-nothing.' },
        }));
        return { created: 0, failed: results.length, results };
      };
      if (mode === 'all-or-nothing' && errors.size > 0) return fail(errors);

      const candidates = items.flatMap((item, index) => (errors.has(index) ? [] : [{ item, index }]));
      const limit = pLimit(concurrency);
      const prepared = await Promise.all(
        candidates.map(({ item, index }) =>
          limit(async () => {
            const generated = item.password === undefined ? deps.hasher.generate() : undefined;
            return { item, index, generated, secretHash: await deps.hasher.hash(item.password ?? generated ?? '') };
          }),
        ),
      );

      const actorLabel = actorName(actor);
      const { created, taken } = await deps.repo.insert(
        prepared.map(({ item }) => ({ username: item.username, enabled: item.enabled ?? true, superuser: item.superuser ?? false, groups: item.groups ?? [] })),
        prepared.map(({ item, secretHash }) => ({ username: item.username, label: item.credentialLabel ?? null, secretHash })),
        (rows) =>
          [...rows.values()].map(({ user, credentialId }): AuditEntry => ({
            actor: actorLabel,
            action: 'mqtt-user.create',
            resourceType: 'mqtt-user',
            resourceId: user.id,
            after: { id: user.id, username: user.username, enabled: user.enabled, superuser: user.superuser, groups: user.groups, credentialId, via: 'bulk' },
          })),
        mode === 'all-or-nothing',
      );
      const takenSet = new Set(taken);
      for (const { item, index } of prepared) {
        if (takenSet.has(item.username)) errors.set(index, { code: conflict, detail: `An MQTT user named "${item.username}" was created by someone else meanwhile.` });
      }
      if (mode === 'all-or-nothing' && errors.size > 0) return fail(errors);

      const generatedByIndex = new Map(prepared.map(({ index, generated }) => [index, generated]));
      const results = items.map((item, index): BulkResult => {
        const error = errors.get(index);
        const row = created.get(item.username);
        if (error || !row) return { index, username: item.username, status: 'error', error: error ?? { code: conflict, detail: 'Not created.' } };
        const generated = generatedByIndex.get(index);
        return { index, username: item.username, status: 'created', userId: row.user.id, credentialId: row.credentialId, ...(generated === undefined ? {} : { password: generated }) };
      });
      const createdCount = results.filter((r) => r.status === 'created').length;
      return { created: createdCount, failed: results.length - createdCount, results };
    },
  };
}

export type MqttUserBulkService = ReturnType<typeof createMqttUserBulkService>;
