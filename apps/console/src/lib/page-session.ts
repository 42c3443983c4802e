import { redirect } from 'next/navigation';
import type { NavHref } from './nav';
import { navItem } from './nav';
import { roleAtLeast, type Role } from './roles';
import { requireSession } from './session';

/** What a page's client view needs to know about the signed-in admin. */
export interface Abilities {
  role: Role;
  username: string;
  /** May change devices, rules, sessions (operator or admin). */
  canWrite: boolean;
  isAdmin: boolean;
}

/** The session for a page; sections above the admin's role send them to the overview. */
export async function pageAbilities(href: NavHref): Promise<Abilities> {
  const session = await requireSession();
  if (!roleAtLeast(session.role, navItem(href).minRole)) redirect('/overview');
  return { role: session.role, username: session.username, canWrite: roleAtLeast(session.role, 'operator'), isAdmin: session.role === 'admin' };
}
