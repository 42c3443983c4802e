import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { SysTree } from '@/features/sys/components/sys-tree';
import { navItem } from '@/lib/nav';
import { pageAbilities } from '@/lib/page-session';

const item = navItem('/sys');
export const metadata: Metadata = { title: item.label };

export default async function Page() {
  await pageAbilities('/sys');
  return (
    <>
      <PageHeader title={item.label} description={item.description} />
      <SysTree />
    </>
  );
}
