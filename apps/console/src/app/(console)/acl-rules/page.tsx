import type { Metadata } from 'next';
import { ComingSoon } from '@/components/layout/coming-soon';
import { navItem } from '@/lib/nav';

const item = navItem('/acl-rules');

export const metadata: Metadata = { title: item.label };

export default function AclRulesPage() {
  return <ComingSoon item={item} />;
}
