import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { AuditLogView } from '@/features/audit-log/components/audit-log-view';
import { navItem } from '@/lib/nav';
import { pageAbilities } from '@/lib/page-session';

const item = navItem('/audit-log');
export const metadata: Metadata = { title: item.label };

export default async function Page() {
  await pageAbilities('/audit-log');
  return (
    <>
      <PageHeader title={item.label} description={item.description} />
      <AuditLogView />
    </>
  );
}
