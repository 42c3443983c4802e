import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { ClientsView } from '@/features/clients/components/clients-view';
import { navItem } from '@/lib/nav';
import { pageAbilities } from '@/lib/page-session';

const item = navItem('/clients');
export const metadata: Metadata = { title: item.label };

export default async function ClientsPage() {
  await pageAbilities('/clients');
  return (
    <>
      <PageHeader title={item.label} description={item.description} />
      <ClientsView />
    </>
  );
}
