import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { AdminsView } from '@/features/admins/components/admins-view';
import { navItem } from '@/lib/nav';
import { pageAbilities } from '@/lib/page-session';

const item = navItem('/admins');
export const metadata: Metadata = { title: item.label };

export default async function Page() {
  const abilities = await pageAbilities('/admins');
  return (
    <>
      <PageHeader title={item.label} description={item.description} />
      <AdminsView currentUsername={abilities.username} />
    </>
  );
}
