import { NAV_ITEMS } from '@/lib/nav';
import { SidebarLink } from './sidebar-link';

export function Sidebar() {
  return (
    <nav className="sidebar" aria-label="Sections">
      <ul>
        {NAV_ITEMS.map((item) => (
          <li key={item.href}>
            <SidebarLink href={item.href}>{item.label}</SidebarLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
