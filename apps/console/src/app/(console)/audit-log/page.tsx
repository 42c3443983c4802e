import type { Metadata } from 'next';
import { ComingSoon } from '@/components/layout/coming-soon';
import { navItem } from '@/lib/nav';

const item = navItem('/audit-log');

export const metadata: Metadata = { title: item.label };

export default function AuditLogPage() {
  return <ComingSoon item={item} />;
}
