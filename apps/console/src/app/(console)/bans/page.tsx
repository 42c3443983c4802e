import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { BansView } from '@/features/bans/components/bans-view';
import { navItem } from '@/lib/nav';
import { pageAbilities } from '@/lib/page-session';

const item = navItem('/bans');
export const metadata: Metadata = { title: item.label };

export default async function Page() {
  const abilities = await pageAbilities('/bans');
  return (
    <>
      <PageHeader title={item.label} description={item.description} />
      <BansView canWrite={abilities.canWrite} />
    </>
  );
}
