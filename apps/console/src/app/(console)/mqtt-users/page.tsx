import type { Metadata } from 'next';
import { ComingSoon } from '@/components/layout/coming-soon';
import { navItem } from '@/lib/nav';

const item = navItem('/mqtt-users');

export const metadata: Metadata = { title: item.label };

export default function MqttUsersPage() {
  return <ComingSoon item={item} />;
}
