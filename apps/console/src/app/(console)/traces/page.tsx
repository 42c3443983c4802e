import type { Metadata } from 'next';
import { ComingSoon } from '@/components/layout/coming-soon';
import { navItem } from '@/lib/nav';

const item = navItem('/traces');

export const metadata: Metadata = { title: item.label };

export default function TracesPage() {
  return <ComingSoon item={item} />;
}
