import type { ReactNode } from 'react';
import { AppHeader } from '@/components/layout/app-header';
import { Sidebar } from '@/components/layout/sidebar';
import { requireSession } from '@/lib/session';

/** The console shell: header, sections sidebar, page. Signed-out visitors go to /login. */
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const session = await requireSession();
  return (
    <div className="shell">
      <a href="#content" className="skip-link">
        Skip to content
      </a>
      <AppHeader username={session.username} role={session.role} />
      <Sidebar role={session.role} />
      <main className="content" id="content">
        {children}
      </main>
    </div>
  );
}
