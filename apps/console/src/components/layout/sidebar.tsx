import { NAV_ITEMS } from '@/lib/nav';
import { roleAtLeast, type Role } from '@/lib/roles';
import { SidebarLink } from './sidebar-link';

export function Sidebar({ role }: { role: Role }) {
  return (
    <nav className="sidebar" aria-label="Sections">
      <ul>
        {NAV_ITEMS.filter((item) => roleAtLeast(role, item.minRole)).map((item) => (
          <li key={item.href}>
            <SidebarLink href={item.href}>{item.label}</SidebarLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
