import type { Role } from './roles';

/** The console's sections, in sidebar order. Pages, the sidebar and tests read this list. */
export interface NavItem {
  href: `/${string}`;
  label: string;
  description: string;
  /** Least role that sees the section (the API enforces the same). */
  minRole: Role;
}

export const NAV_ITEMS = [
  { href: '/overview', label: 'Overview', description: 'Health of the platform at a glance.', minRole: 'viewer' },
  { href: '/clients', label: 'Clients', description: 'Connected MQTT clients and offline sessions: subscriptions, queues, kick.', minRole: 'viewer' },
  { href: '/sessions', label: 'Sessions', description: 'Persistent sessions, their queues and expiry.', minRole: 'viewer' },
  { href: '/subscriptions', label: 'Subscriptions', description: 'Every subscription of every session.', minRole: 'viewer' },
  { href: '/retained', label: 'Retained', description: 'Retained messages by topic.', minRole: 'viewer' },
  { href: '/sys', label: '$SYS', description: 'The $SYS topics as the broker publishes them.', minRole: 'viewer' },
  { href: '/mqtt-users', label: 'MQTT users', description: 'Who may connect, and their credentials.', minRole: 'viewer' },
  { href: '/acl-rules', label: 'ACL rules', description: 'What each user and client may publish and subscribe to.', minRole: 'viewer' },
  { href: '/session-policies', label: 'Session policies', description: 'Limits on session expiry, queues and in-flight windows.', minRole: 'viewer' },
  { href: '/bans', label: 'Bans', description: 'Client ids, usernames and addresses refused at CONNECT.', minRole: 'viewer' },
  { href: '/traces', label: 'Traces', description: 'Follow one client or topic through the broker.', minRole: 'viewer' },
  { href: '/admins', label: 'Admins', description: 'Who may use this console and the API, and their API tokens.', minRole: 'admin' },
  { href: '/audit-log', label: 'Audit log', description: 'Who changed what, and when.', minRole: 'operator' },
] as const satisfies readonly NavItem[];

export type NavHref = (typeof NAV_ITEMS)[number]['href'];

export function navItem(href: NavHref): NavItem {
  const item = NAV_ITEMS.find((candidate) => candidate.href === href);
  if (!item) throw new Error(`no nav item for ${href}`);
  return item;
}
