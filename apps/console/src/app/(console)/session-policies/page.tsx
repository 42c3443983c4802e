import type { Metadata } from 'next';
import { ComingSoon } from '@/components/layout/coming-soon';
import { navItem } from '@/lib/nav';

const item = navItem('/session-policies');

export const metadata: Metadata = { title: item.label };

export default function SessionPoliciesPage() {
  return <ComingSoon item={item} />;
}
