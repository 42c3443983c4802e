import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { RetainedView } from '@/features/retained/components/retained-view';
import { navItem } from '@/lib/nav';
import { pageAbilities } from '@/lib/page-session';

const item = navItem('/retained');
export const metadata: Metadata = { title: item.label };

export default async function Page() {
  const abilities = await pageAbilities('/retained');
  return (
    <>
      <PageHeader title={item.label} description={item.description} />
      <RetainedView canWrite={abilities.canWrite} />
    </>
  );
}
