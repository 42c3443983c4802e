import type { TraceEvent } from './types';

/** One line about what happened, beyond type, client and topic. */
export function eventSummary(event: TraceEvent): string {
  const d = event.detail;
  const parts: string[] = [];
  if (event.qos !== null) parts.push(`QoS ${event.qos}`);
  if (event.packetId !== null) parts.push(`packet ${event.packetId}`);
  if (event.reason) parts.push(event.reason);
  if (typeof d.matched === 'number') parts.push(`${d.matched} subscriber${d.matched === 1 ? '' : 's'}`);
  if (Array.isArray(d.shared) && d.shared.length > 0) {
    parts.push(`shared: ${d.shared.map((s) => `${(s as { shareName?: string }).shareName} → ${(s as { clientId?: string }).clientId}`).join(', ')}`);
  }
  if (typeof d.shareName === 'string') parts.push(`via $share/${d.shareName}`);
  if (typeof d.elapsedMs === 'number') parts.push(`${d.elapsedMs} ms`);
  if (typeof d.size === 'number') parts.push(`${d.size} B`);
  if (d.retain === true) parts.push('retain');
  if (typeof d.payload === 'string') parts.push(`payload ${JSON.stringify(d.payload)}${d.payloadTruncated ? '…' : ''}`);
  if (typeof d.by === 'string') parts.push(`by ${d.by}`);
  return parts.join(' · ');
}

export function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(11, 23)}`;
}
