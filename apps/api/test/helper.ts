import pino from 'pino';
import { buildApp, type App, type AppDeps } from '../src/app.js';

/** The app as production builds it, with a silent logger and a fixed version; not yet ready. */
export async function buildTestApp(overrides: Partial<AppDeps> = {}): Promise<App> {
  return buildApp({ logger: pino({ level: 'silent' }), version: '0.0.0-test', ...overrides });
}

/** RFC 9457 members every error response of the API carries. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  requestId: string;
  errors?: Array<{ in: string; pointer: string; detail: string }>;
  [extension: string]: unknown;
}

export function expectProblemShape(body: unknown): asserts body is ProblemBody {
  const problem = body as Partial<ProblemBody>;
  for (const key of ['type', 'title', 'detail', 'instance', 'code', 'requestId'] as const) {
    if (typeof problem[key] !== 'string') throw new Error(`problem member "${key}" missing: ${JSON.stringify(body)}`);
  }
  if (typeof problem.status !== 'number') throw new Error(`problem member "status" missing: ${JSON.stringify(body)}`);
  if (!/^API_ERR_[A-Z0-9_]+$/.test(problem.code ?? '')) throw new Error(`unstable code: ${problem.code}`);
}
