import { apiAuthHeaders } from '@/features/traces/api-auth';
import { loadConfig } from '@/lib/config';

export const dynamic = 'force-dynamic';

/** Downloads the trace as NDJSON (GET /api/v1/traces/{id}/export), authenticated on the server. */
export async function GET(request: Request, { params }: { params: Promise<{ traceId: string }> }): Promise<Response> {
  const { traceId } = await params;
  const upstream = await fetch(`${loadConfig().apiUrl}/api/v1/traces/${encodeURIComponent(traceId)}/export`, {
    headers: { accept: 'application/x-ndjson', ...(await apiAuthHeaders()) },
    cache: 'no-store',
    signal: request.signal,
  }).catch(() => undefined);
  if (!upstream?.ok || !upstream.body) return new Response('export not available\n', { status: upstream?.status ?? 502, headers: { 'content-type': 'text/plain' } });
  return new Response(upstream.body, {
    headers: { 'content-type': 'application/x-ndjson', 'content-disposition': `attachment; filename="trace-${traceId}.ndjson"` },
  });
}
