import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { SessionsView } from '@/features/sessions/components/sessions-view';
import { navItem } from '@/lib/nav';
import { pageAbilities } from '@/lib/page-session';

const item = navItem('/sessions');
export const metadata: Metadata = { title: item.label };

export default async function Page() {
  const abilities = await pageAbilities('/sessions');
  return (
    <>
      <PageHeader title={item.label} description={item.description} />
      <SessionsView canWrite={abilities.canWrite} />
    </>
  );
}
