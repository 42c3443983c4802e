import { generateSecret, hashPassword, verifyPassword } from '@repo/passwords';
import { ApiError, ApiErrors } from '../../lib/api-error.js';
import type { AuditLog } from '../../lib/audit.js';
import { isRole, type Role } from '../../lib/roles.js';
import type { Admin } from '@repo/db';
import type { IdentityRepository } from '../api-tokens/api-tokens.repository.js';
import type { ApiTokenService, CreatedApiToken } from '../api-tokens/api-tokens.service.js';

/** Username of the admin created when the database has none. */
export const FIRST_ADMIN_USERNAME = 'admin';

/** Compared against when the username is unknown, so that both cases take as long. */
let dummyHash: Promise<string> | undefined;

export function createAuthService(deps: { repo: IdentityRepository; tokens: ApiTokenService; audit: AuditLog; loginTokenTtlSeconds: number }) {
  /** The admin with this username and password; 401 (one message for every reason) otherwise. */
  async function checkPassword(username: string, password: string): Promise<Admin & { role: Role }> {
    const admin = await deps.repo.findAdminByUsername(username);
    dummyHash ??= hashPassword(generateSecret());
    const ok = admin ? await verifyPassword(admin.passwordHash, password) : (await verifyPassword(await dummyHash, password), false);
    if (!admin || !ok || admin.disabled || !isRole(admin.role)) {
      throw new ApiError(ApiErrors.unauthorized, 'Unknown username or wrong password.');
    }
    return admin as Admin & { role: Role };
  }

  return {
    checkPassword,

    /** Exchanges a username and password for a new API token (shown once). */
    async login(username: string, password: string): Promise<CreatedApiToken> {
      const admin = await checkPassword(username, password);
      const created = await deps.tokens.issue({ adminId: admin.id, adminRole: admin.role, name: 'login', ttlSeconds: deps.loginTokenTtlSeconds });
      await deps.audit.record({ actor: `admin:${admin.username}`, action: 'auth.login', resourceType: 'api-token', resourceId: created.id });
      return created;
    },

    /**
     * Creates the first admin (username "admin", role admin) when there is none. Returns the
     * generated password when none was configured, for the caller to print once.
     */
    async ensureFirstAdmin(configuredPassword: string | undefined): Promise<{ created: boolean; generatedPassword?: string }> {
      if ((await deps.repo.countAdmins()) > 0) return { created: false };
      const password = configuredPassword ?? generateSecret();
      const admin = await deps.repo.createAdmin({ username: FIRST_ADMIN_USERNAME, passwordHash: await hashPassword(password), role: 'admin' });
      await deps.audit.record({ actor: 'system', action: 'admin.create', resourceType: 'admin', resourceId: admin.id, after: { username: admin.username, role: admin.role } });
      return configuredPassword === undefined ? { created: true, generatedPassword: password } : { created: true };
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
