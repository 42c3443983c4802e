import type { Metadata } from 'next';
import { ComingSoon } from '@/components/layout/coming-soon';
import { navItem } from '@/lib/nav';

const item = navItem('/clients');

export const metadata: Metadata = { title: item.label };

export default function ClientsPage() {
  return <ComingSoon item={item} />;
}
