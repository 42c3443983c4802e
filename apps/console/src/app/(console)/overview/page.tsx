import type { Metadata } from 'next';
import { Suspense } from 'react';
import { PageHeader } from '@/components/ui/page-header';
import { ApiStatusPanel } from '@/features/overview/components/api-status-panel';
import { LiveOverview } from '@/features/overview/components/live-overview';
import { PanelSkeleton } from '@/features/overview/components/panel-skeleton';
import { navItem } from '@/lib/nav';
import { pageAbilities } from '@/lib/page-session';

const item = navItem('/overview');
export const metadata: Metadata = { title: item.label };

export default async function OverviewPage() {
  await pageAbilities('/overview');
  return (
    <>
      <PageHeader title={item.label} description={item.description} />
      <LiveOverview />
      <div className="panels" style={{ marginTop: '1.5rem' }}>
        <Suspense fallback={<PanelSkeleton title="REST API" />}>
          <ApiStatusPanel />
        </Suspense>
      </div>
    </>
  );
}
