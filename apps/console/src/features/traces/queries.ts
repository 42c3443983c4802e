import { apiRequest, type ApiFailure } from '@/lib/api-client';
import { apiAuthHeaders } from './api-auth';
import { parseJourney, parseTrace, parseTraceList, type Trace, type TraceEvent } from './types';

export type Loaded<T> = { ok: true; data: T } | ApiFailure;

/** GET /api/v1/traces (listTraces), newest first. */
export async function listTraces(cursor?: string): Promise<Loaded<{ items: Trace[]; nextCursor: string | null }>> {
  const query = cursor ? `?limit=50&cursor=${encodeURIComponent(cursor)}` : '?limit=50';
  return apiRequest('GET', `/api/v1/traces${query}`, { parse: parseTraceList, headers: await apiAuthHeaders() });
}

/** GET /api/v1/traces/{id} (getTrace). */
export async function getTrace(traceId: string): Promise<Loaded<Trace>> {
  return apiRequest('GET', `/api/v1/traces/${encodeURIComponent(traceId)}`, { parse: parseTrace, headers: await apiAuthHeaders() });
}

/** GET /api/v1/traces/{id}/messages/{messageId} (getTraceMessage). */
export async function getMessageJourney(traceId: string, messageId: string): Promise<Loaded<{ messageId: string; events: TraceEvent[] }>> {
  return apiRequest('GET', `/api/v1/traces/${encodeURIComponent(traceId)}/messages/${encodeURIComponent(messageId)}`, {
    parse: parseJourney,
    headers: await apiAuthHeaders(),
  });
}
