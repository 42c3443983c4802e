import { apiAuthHeaders } from '@/features/traces/api-auth';
import { loadConfig } from '@/lib/config';

export const dynamic = 'force-dynamic';

/**
 * The trace's live events for the browser: proxies the API's server-sent events
 * (GET /api/v1/traces/{id}/events/stream) with the operator's credentials, which stay on the
 * server. Last-Event-ID is passed on, so a reconnecting EventSource resumes where it stopped.
 */
export async function GET(request: Request, { params }: { params: Promise<{ traceId: string }> }): Promise<Response> {
  const { traceId } = await params;
  const lastEventId = request.headers.get('last-event-id');
  let upstream: Response;
  try {
    upstream = await fetch(`${loadConfig().apiUrl}/api/v1/traces/${encodeURIComponent(traceId)}/events/stream`, {
      headers: { accept: 'text/event-stream', ...(await apiAuthHeaders()), ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
      cache: 'no-store',
      signal: request.signal,
    });
  } catch {
    return new Response('event: error\ndata: {"message":"API unreachable"}\n\n', { status: 502, headers: { 'content-type': 'text/event-stream' } });
  }
  if (!upstream.ok || !upstream.body) {
    // An EventSource stops retrying on a non-200 answer: tell it the stream is over.
    return new Response(`event: trace-end\ndata: ${JSON.stringify({ status: 'unavailable', httpStatus: upstream.status })}\n\n`, {
      status: 200,
      headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
    });
  }
  return new Response(upstream.body, { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' } });
}
