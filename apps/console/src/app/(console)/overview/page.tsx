import type { Metadata } from 'next';
import { Suspense } from 'react';
import { ApiStatusPanel } from '@/features/overview/components/api-status-panel';
import { PanelSkeleton } from '@/features/overview/components/panel-skeleton';
import { navItem } from '@/lib/nav';

export const metadata: Metadata = { title: 'Overview' };

export default function OverviewPage() {
  const item = navItem('/overview');
  return (
    <>
      <h1 className="page-title">{item.label}</h1>
      <p className="muted">{item.description}</p>
      <div className="panels">
        <Suspense fallback={<PanelSkeleton title="REST API" />}>
          <ApiStatusPanel />
        </Suspense>
      </div>
    </>
  );
}
