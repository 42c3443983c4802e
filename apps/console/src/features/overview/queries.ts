import { apiGet } from '@/lib/api-client';

/** What the overview shows about the API: up with its version, or why it is not reachable. */
export type ApiHealth =
  | { status: 'ok'; version: string; uptimeSeconds: number }
  | { status: 'unreachable'; message: string };

interface HealthBody {
  status: 'ok';
  version: string;
  uptimeSeconds: number;
}

function parseHealth(body: unknown): HealthBody | undefined {
  const candidate = body as Partial<HealthBody> | null;
  if (candidate?.status !== 'ok' || typeof candidate.version !== 'string' || typeof candidate.uptimeSeconds !== 'number') return undefined;
  return { status: 'ok', version: candidate.version, uptimeSeconds: candidate.uptimeSeconds };
}

/** GET /health on the API (operationId getHealth). Never throws. */
export async function getApiHealth(): Promise<ApiHealth> {
  const result = await apiGet('/health', parseHealth);
  if (!result.ok) return { status: 'unreachable', message: result.message };
  return { status: 'ok', version: result.data.version, uptimeSeconds: result.data.uptimeSeconds };
}
