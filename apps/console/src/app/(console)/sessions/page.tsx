import type { Metadata } from 'next';
import { ComingSoon } from '@/components/layout/coming-soon';
import { navItem } from '@/lib/nav';

const item = navItem('/sessions');

export const metadata: Metadata = { title: item.label };

export default function SessionsPage() {
  return <ComingSoon item={item} />;
}
