import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { SessionPoliciesView } from '@/features/session-policies/components/session-policies-view';
import { navItem } from '@/lib/nav';
import { pageAbilities } from '@/lib/page-session';

const item = navItem('/session-policies');
export const metadata: Metadata = { title: item.label };

export default async function Page() {
  const abilities = await pageAbilities('/session-policies');
  return (
    <>
      <PageHeader title={item.label} description={item.description} />
      <SessionPoliciesView canWrite={abilities.canWrite} />
    </>
  );
}
