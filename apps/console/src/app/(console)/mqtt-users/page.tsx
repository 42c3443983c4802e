import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { MqttUsersView } from '@/features/mqtt-users/components/mqtt-users-view';
import { navItem } from '@/lib/nav';
import { pageAbilities } from '@/lib/page-session';

const item = navItem('/mqtt-users');
export const metadata: Metadata = { title: item.label };

export default async function MqttUsersPage() {
  const abilities = await pageAbilities('/mqtt-users');
  return (
    <>
      <PageHeader title={item.label} description={item.description} />
      <MqttUsersView canWrite={abilities.canWrite} />
    </>
  );
}
