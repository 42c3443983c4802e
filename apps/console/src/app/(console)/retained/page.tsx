import type { Metadata } from 'next';
import { ComingSoon } from '@/components/layout/coming-soon';
import { navItem } from '@/lib/nav';

const item = navItem('/retained');

export const metadata: Metadata = { title: item.label };

export default function RetainedPage() {
  return <ComingSoon item={item} />;
}
