import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { AclRulesView } from '@/features/acl-rules/components/acl-rules-view';
import { navItem } from '@/lib/nav';
import { pageAbilities } from '@/lib/page-session';

const item = navItem('/acl-rules');
export const metadata: Metadata = { title: item.label };

export default async function AclRulesPage() {
  const abilities = await pageAbilities('/acl-rules');
  return (
    <>
      <PageHeader title={item.label} description={item.description} />
      <AclRulesView canWrite={abilities.canWrite} />
    </>
  );
}
