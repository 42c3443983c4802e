import type { Role } from '../src/lib/roles.js';

/**
 * Who may call each /api/v1 route: the least role it needs, or 'public' (no credentials).
 * route-roles.test.ts walks every line for anonymous, viewer, operator and admin, and fails when
 * a route is registered without a line here (or a line names no route).
 *
 * Adding a route: add ONE line `['METHOD', '/api/v1/path/{param}', 'role'],` in its resource's
 * group (path parameters as in the OpenAPI document, no trailing slash).
 */
export type MinRole = Role | 'public';

export const ROUTE_ROLES: ReadonlyArray<readonly [method: string, path: string, minRole: MinRole]> = [
  // auth
  ['POST', '/api/v1/auth/login', 'public'],
  ['POST', '/api/v1/auth/session', 'public'],
  ['GET', '/api/v1/auth/session', 'viewer'],
  ['DELETE', '/api/v1/auth/session', 'viewer'],

  // admins
  ['GET', '/api/v1/admins', 'admin'],
  ['POST', '/api/v1/admins', 'admin'],
  ['GET', '/api/v1/admins/{adminId}', 'admin'],
  ['PATCH', '/api/v1/admins/{adminId}', 'admin'],
  ['DELETE', '/api/v1/admins/{adminId}', 'admin'],

  // api-tokens
  ['GET', '/api/v1/api-tokens', 'admin'],
  ['POST', '/api/v1/api-tokens', 'admin'],
  ['DELETE', '/api/v1/api-tokens/{tokenId}', 'admin'],

  // audit-events
  ['GET', '/api/v1/audit-events', 'operator'],

  // mqtt-users and credentials
  ['GET', '/api/v1/mqtt-users', 'viewer'],
  ['POST', '/api/v1/mqtt-users', 'operator'],
  ['POST', '/api/v1/mqtt-users/bulk', 'operator'],
  ['GET', '/api/v1/mqtt-users/export', 'viewer'],
  ['GET', '/api/v1/mqtt-users/{userId}', 'viewer'],
  ['PATCH', '/api/v1/mqtt-users/{userId}', 'operator'],
  ['DELETE', '/api/v1/mqtt-users/{userId}', 'operator'],
  ['GET', '/api/v1/mqtt-users/{userId}/credentials', 'viewer'],
  ['POST', '/api/v1/mqtt-users/{userId}/credentials', 'operator'],
  ['POST', '/api/v1/mqtt-users/{userId}/credentials/{credentialId}/revoke', 'operator'],
  ['DELETE', '/api/v1/mqtt-users/{userId}/credentials/{credentialId}', 'operator'],

  // acl-rules
  ['GET', '/api/v1/acl-rules', 'viewer'],
  ['POST', '/api/v1/acl-rules', 'operator'],
  ['POST', '/api/v1/acl-rules/explain', 'viewer'],
  ['PUT', '/api/v1/acl-rules/order', 'operator'],
  ['GET', '/api/v1/acl-rules/affected', 'viewer'],
  ['GET', '/api/v1/acl-rules/{ruleId}', 'viewer'],
  ['PATCH', '/api/v1/acl-rules/{ruleId}', 'operator'],
  ['DELETE', '/api/v1/acl-rules/{ruleId}', 'operator'],

  // bans
  ['GET', '/api/v1/bans', 'viewer'],
  ['POST', '/api/v1/bans', 'operator'],
  ['DELETE', '/api/v1/bans/{banId}', 'operator'],

  // clients
  ['GET', '/api/v1/clients', 'viewer'],
  ['GET', '/api/v1/clients/{clientId}', 'viewer'],
  ['POST', '/api/v1/clients/{clientId}/kick', 'operator'],
  ['DELETE', '/api/v1/clients/{clientId}/session', 'operator'],

  // sessions
  ['GET', '/api/v1/sessions', 'viewer'],
  ['POST', '/api/v1/sessions/expire-jobs', 'operator'],
  ['GET', '/api/v1/sessions/expire-jobs/{jobId}', 'viewer'],

  // subscriptions
  ['GET', '/api/v1/subscriptions', 'viewer'],

  // retained
  ['GET', '/api/v1/retained', 'viewer'],
  ['GET', '/api/v1/retained/message', 'viewer'],
  ['DELETE', '/api/v1/retained/message', 'operator'],
  ['POST', '/api/v1/retained/delete', 'operator'],

  // publish
  ['POST', '/api/v1/publish', 'operator'],

  // session-policies
  ['GET', '/api/v1/session-policies/default', 'viewer'],
  ['PUT', '/api/v1/session-policies/default', 'operator'],
  ['GET', '/api/v1/session-policies', 'viewer'],
  ['POST', '/api/v1/session-policies', 'operator'],
  ['GET', '/api/v1/session-policies/{policyId}', 'viewer'],
  ['PATCH', '/api/v1/session-policies/{policyId}', 'operator'],
  ['DELETE', '/api/v1/session-policies/{policyId}', 'operator'],

  // stats
  ['GET', '/api/v1/stats', 'viewer'],
  ['GET', '/api/v1/stats/series', 'viewer'],
  ['GET', '/api/v1/stats/sys', 'viewer'],

  // traces
  ['POST', '/api/v1/traces', 'operator'],
  ['GET', '/api/v1/traces', 'viewer'],
  ['GET', '/api/v1/traces/{traceId}', 'viewer'],
  ['DELETE', '/api/v1/traces/{traceId}', 'operator'],
  ['POST', '/api/v1/traces/{traceId}/stop', 'operator'],
  ['GET', '/api/v1/traces/{traceId}/events', 'viewer'],
  ['GET', '/api/v1/traces/{traceId}/events/stream', 'viewer'],
  ['GET', '/api/v1/traces/{traceId}/export', 'viewer'],
  ['GET', '/api/v1/traces/{traceId}/messages/{messageId}', 'viewer'],
];
