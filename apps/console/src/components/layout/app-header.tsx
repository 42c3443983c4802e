import Link from 'next/link';
import { logout } from '@/features/auth/actions';
import type { Role } from '@/lib/roles';

export function AppHeader({ username, role }: { username: string; role: Role }) {
  return (
    <header className="app-header">
      <Link href="/overview" className="brand">
        MQTT Platform
      </Link>
      <div className="header-user">
        <span data-testid="signed-in-as">
          {username} <span className="role-badge">{role}</span>
        </span>
        <form action={logout}>
          <button type="submit" className="button">
            Sign out
          </button>
        </form>
      </div>
    </header>
  );
}
