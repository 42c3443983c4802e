import { ControlChannel, encodeCredentialsChanged } from '@repo/control';
import type { Credential, MqttUser } from '@repo/db';
import { ApiError, ApiErrors } from '../../lib/api-error.js';
import type { AuditLog } from '../../lib/audit.js';
import type { ControlNotifier } from '../../lib/control.js';
import { actorName, type Actor } from '../../lib/roles.js';
import { decodeCursor, encodeCursor } from '../../lib/schemas.js';
import { isUniqueViolation, type MqttUserRepository, type UserChanges } from './mqtt-users.repository.js';

export interface MqttUserView {
  id: string;
  username: string;
  enabled: boolean;
  superuser: boolean;
  groups: string[];
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CredentialView {
  id: string;
  userId: string;
  label: string | null;
  clientIdPattern: string | null;
  expiresAt: string | null;
  revoked: boolean;
  lastUsedAt: string | null;
  createdAt: string;
}

function toUserView(row: MqttUser): MqttUserView {
  return {
    id: row.id,
    username: row.username,
    enabled: row.enabled,
    superuser: row.superuser,
    groups: row.groups,
    description: row.description,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toCredentialView(row: Credential): CredentialView {
  return {
    id: row.id,
    userId: row.userId,
    label: row.label,
    clientIdPattern: row.clientIdPattern,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    revoked: row.revoked,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

export interface MqttUserServiceDeps {
  repo: MqttUserRepository;
  hasher: { hash(password: string): Promise<string>; generate(): string };
  control: ControlNotifier;
  audit: AuditLog;
}

/** MQTT users and credentials: every change is audited and announced to the brokers. */
export function createMqttUserService(deps: MqttUserServiceDeps) {
  const { repo, control, audit } = deps;

  async function getRow(userId: string): Promise<MqttUser> {
    const row = await repo.find(userId);
    if (!row) throw new ApiError(ApiErrors.notFound, `No MQTT user with id ${userId}.`, { extensions: { userId } });
    return row;
  }

  async function getCredentialRow(userId: string, credentialId: string): Promise<Credential> {
    const row = await repo.findCredential(userId, credentialId);
    if (!row) throw new ApiError(ApiErrors.notFound, `No credential ${credentialId} for MQTT user ${userId}.`, { extensions: { userId, credentialId } });
    return row;
  }

  const changed = (username: string): Promise<void> => control.notify(ControlChannel.credentialsChanged, encodeCredentialsChanged({ username }));

  return {
    async create(actor: Actor, input: { username: string; enabled?: boolean; superuser?: boolean; groups?: string[]; description?: string | null }): Promise<MqttUserView> {
      let row: MqttUser;
      try {
        row = await repo.create(input);
      } catch (error) {
        if (isUniqueViolation(error)) throw new ApiError(ApiErrors.conflict, `An MQTT user named "${input.username}" exists already.`, { extensions: { username: input.username } });
        throw error;
      }
      const view = toUserView(row);
      await audit.record({ actor: actorName(actor), action: 'mqtt-user.create', resourceType: 'mqtt-user', resourceId: row.id, after: view });
      await changed(row.username);
      return view;
    },

    async list(query: { limit?: number; cursor?: string; username?: string }): Promise<{ items: MqttUserView[]; nextCursor: string | null }> {
      const limit = query.limit ?? 50;
      const rows = await repo.list({
        limit: limit + 1,
        ...(query.cursor !== undefined ? { after: decodeCursor(query.cursor) } : {}),
        ...(query.username !== undefined ? { prefix: query.username } : {}),
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return { items: page.map(toUserView), nextCursor: rows.length > limit && last ? encodeCursor(last.username) : null };
    },

    async get(userId: string): Promise<MqttUserView> {
      return toUserView(await getRow(userId));
    },

    async update(actor: Actor, userId: string, changes: UserChanges): Promise<MqttUserView> {
      const before = await getRow(userId);
      const after = toUserView(await repo.update(userId, changes));
      await audit.record({ actor: actorName(actor), action: 'mqtt-user.update', resourceType: 'mqtt-user', resourceId: userId, before: toUserView(before), after });
      await changed(before.username);
      return after;
    },

    async remove(actor: Actor, userId: string): Promise<void> {
      const before = await getRow(userId);
      await repo.remove(userId);
      await audit.record({ actor: actorName(actor), action: 'mqtt-user.delete', resourceType: 'mqtt-user', resourceId: userId, before: toUserView(before) });
      await changed(before.username);
    },

    /** Adds a password; the generated one (when none is supplied) is returned by this call only. */
    async createCredential(
      actor: Actor,
      userId: string,
      input: { label?: string; password?: string; clientIdPattern?: string; expiresAt?: string },
    ): Promise<CredentialView & { password?: string }> {
      const user = await getRow(userId);
      const generated = input.password === undefined ? deps.hasher.generate() : undefined;
      const row = await repo.createCredential({
        userId,
        label: input.label ?? null,
        secretHash: await deps.hasher.hash(input.password ?? generated ?? ''),
        clientIdPattern: input.clientIdPattern ?? null,
        expiresAt: input.expiresAt === undefined ? null : new Date(input.expiresAt),
      });
      const view = toCredentialView(row);
      await audit.record({ actor: actorName(actor), action: 'credential.create', resourceType: 'credential', resourceId: row.id, after: { ...view, username: user.username } });
      await changed(user.username);
      return generated === undefined ? view : { ...view, password: generated };
    },

    async listCredentials(userId: string): Promise<CredentialView[]> {
      await getRow(userId);
      return (await repo.listCredentials(userId)).map(toCredentialView);
    },

    async revokeCredential(actor: Actor, userId: string, credentialId: string): Promise<CredentialView> {
      const user = await getRow(userId);
      const before = await getCredentialRow(userId, credentialId);
      const after = toCredentialView(await repo.revokeCredential(credentialId));
      await audit.record({ actor: actorName(actor), action: 'credential.revoke', resourceType: 'credential', resourceId: credentialId, before: toCredentialView(before), after });
      await changed(user.username);
      return after;
    },

    async removeCredential(actor: Actor, userId: string, credentialId: string): Promise<void> {
      const user = await getRow(userId);
      const before = await getCredentialRow(userId, credentialId);
      await repo.removeCredential(credentialId);
      await audit.record({ actor: actorName(actor), action: 'credential.delete', resourceType: 'credential', resourceId: credentialId, before: toCredentialView(before) });
      await changed(user.username);
    },
  };
}

export type MqttUserService = ReturnType<typeof createMqttUserService>;
