import type { ReactNode } from 'react';
import { AppHeader } from '@/components/layout/app-header';
import { Sidebar } from '@/components/layout/sidebar';

/** The console shell: header, sections sidebar, page. */
export default function ConsoleLayout({ children }: { children: ReactNode }) {
  return (
    <div className="shell">
      <AppHeader />
      <Sidebar />
      <main className="content">{children}</main>
    </div>
  );
}
