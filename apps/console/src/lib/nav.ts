/** The console's sections, in sidebar order. Pages, the sidebar and tests read this list. */
export interface NavItem {
  href: `/${string}`;
  label: string;
  description: string;
}

export const NAV_ITEMS = [
  { href: '/overview', label: 'Overview', description: 'Health of the platform at a glance.' },
  { href: '/clients', label: 'Clients', description: 'Connected MQTT clients: subscriptions, in-flight messages, kick.' },
  { href: '/sessions', label: 'Sessions', description: 'Persistent sessions, their queues and expiry.' },
  { href: '/retained', label: 'Retained', description: 'Retained messages by topic.' },
  { href: '/mqtt-users', label: 'MQTT users', description: 'Who may connect, and their credentials.' },
  { href: '/acl-rules', label: 'ACL rules', description: 'What each user and client may publish and subscribe to.' },
  { href: '/session-policies', label: 'Session policies', description: 'Limits on session expiry, queues and in-flight windows.' },
  { href: '/traces', label: 'Traces', description: 'Follow one client or topic through the broker.' },
  { href: '/audit-log', label: 'Audit log', description: 'Who changed what, and when.' },
] as const satisfies readonly NavItem[];

export type NavHref = (typeof NAV_ITEMS)[number]['href'];

export function navItem(href: NavHref): NavItem {
  const item = NAV_ITEMS.find((candidate) => candidate.href === href);
  if (!item) throw new Error(`no nav item for ${href}`);
  return item;
}
