'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { apiRequest } from '@/lib/api-client';
import { apiAuthHeaders } from './api-auth';
import { parseTrace } from './types';

export interface StartTraceState {
  error?: string;
  field?: string;
}

function text(form: FormData, name: string): string | undefined {
  const value = form.get(name);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** POST /api/v1/traces (createTrace), then opens the new trace. */
export async function startTrace(_previous: StartTraceState, form: FormData): Promise<StartTraceState> {
  const filter: Record<string, string> = {};
  for (const key of ['clientId', 'username', 'topicFilter', 'ip'] as const) {
    const value = text(form, key);
    if (value !== undefined) filter[key] = value;
  }
  const body = {
    name: text(form, 'name') ?? 'trace',
    filter,
    durationSeconds: Number(text(form, 'durationSeconds') ?? 600),
    payloadCaptureBytes: Number(text(form, 'payloadCaptureBytes') ?? 0),
    payloadEncoding: text(form, 'payloadEncoding') ?? 'text',
    maxEvents: Number(text(form, 'maxEvents') ?? 10000),
  };
  const result = await apiRequest('POST', '/api/v1/traces', { body, parse: parseTrace, headers: await apiAuthHeaders(true) });
  if (!result.ok) return { error: result.message, ...(result.field ? { field: result.field } : {}) };
  revalidatePath('/traces');
  redirect(`/traces/${result.data.id}`);
}

/** POST /api/v1/traces/{id}/stop (stopTrace). */
export async function stopTrace(traceId: string): Promise<{ error?: string }> {
  const result = await apiRequest('POST', `/api/v1/traces/${encodeURIComponent(traceId)}/stop`, { parse: parseTrace, headers: await apiAuthHeaders(true) });
  revalidatePath(`/traces/${traceId}`);
  revalidatePath('/traces');
  return result.ok ? {} : { error: result.message };
}
