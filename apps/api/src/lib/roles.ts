import Type from 'typebox';

/** Who may do what through the API: viewer reads, operator also changes devices/ACLs, admin everything. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const RoleSchema = Type.Union([Type.Literal('viewer'), Type.Literal('operator'), Type.Literal('admin')], { description: 'viewer: read-only; operator: MQTT users, credentials, ACL rules, bans; admin: everything.' });

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** True when `held` grants at least what `needed` does. */
export function roleAtLeast(held: Role, needed: Role): boolean {
  return RANK[held] >= RANK[needed];
}

/** The authenticated caller of a request, passed to services as `actor`. */
export interface Actor {
  adminId: string;
  username: string;
  role: Role;
  /** Id of the API token (via 'token') or of the console session row (via 'session') that authenticated the request. */
  tokenId: string;
  /** How the request authenticated: `Authorization: Bearer` or the console's session cookie. */
  via?: 'token' | 'session';
}

/** How the actor is written in the audit log. */
export function actorName(actor: Pick<Actor, 'username' | 'tokenId' | 'via'>): string {
  return `admin:${actor.username} (${actor.via === 'session' ? 'session' : 'token'} ${actor.tokenId})`;
}
