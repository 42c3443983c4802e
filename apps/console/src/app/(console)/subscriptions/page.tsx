import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { SubscriptionsView } from '@/features/subscriptions/components/subscriptions-view';
import { navItem } from '@/lib/nav';
import { pageAbilities } from '@/lib/page-session';

const item = navItem('/subscriptions');
export const metadata: Metadata = { title: item.label };

export default async function Page() {
  await pageAbilities('/subscriptions');
  return (
    <>
      <PageHeader title={item.label} description={item.description} />
      <SubscriptionsView />
    </>
  );
}
