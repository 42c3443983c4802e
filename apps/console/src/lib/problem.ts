/** An RFC 9457 problem as the API sends it (only the members the console shows). */
export interface Problem {
  status: number;
  title: string;
  detail: string;
  code: string;
  /** The failing field, when the API names one (contract: `field`; validation errors: `errors[].pointer`). */
  field?: string;
}

/** Reads a problem+json body, or makes one from a bare status when the body is not one. */
export function toProblem(status: number, body: unknown): Problem {
  const candidate = (body ?? {}) as Record<string, unknown>;
  const errors = Array.isArray(candidate.errors) ? (candidate.errors as { pointer?: unknown; detail?: unknown }[]) : [];
  const firstPointer = errors.find((error) => typeof error.pointer === 'string')?.pointer as string | undefined;
  const field = typeof candidate.field === 'string' ? candidate.field : firstPointer ? firstPointer.replace(/^\//, '').replaceAll('/', '.') : undefined;
  return {
    status,
    title: typeof candidate.title === 'string' ? candidate.title : `HTTP ${status}`,
    detail: typeof candidate.detail === 'string' ? candidate.detail : typeof candidate.message === 'string' ? candidate.message : `The API answered HTTP ${status}.`,
    code: typeof candidate.code === 'string' ? candidate.code : `HTTP_${status}`,
    ...(field ? { field } : {}),
  };
}
