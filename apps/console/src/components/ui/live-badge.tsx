'use client';

/** "Live · updated 12:00:01", or why the data is stale. */
export function LiveBadge({ updatedAt, failing }: { updatedAt: number | undefined; failing: boolean }) {
  return (
    <span className={`live-badge ${failing ? 'live-badge-stale' : ''}`} aria-live="off">
      {failing ? 'Stale' : 'Live'}
      {updatedAt ? ` · updated ${new Date(updatedAt).toLocaleTimeString()}` : ''}
    </span>
  );
}
