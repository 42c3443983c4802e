import Type, { type Static } from 'typebox';
import type { ApiErrorKind } from './api-error.js';

/** RFC 9457 media type; every error response of the API uses it. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** One failed check of a request, for validation problems. */
export const InvalidParamSchema = Type.Object({
  /** Which part of the request: body, querystring, params or headers. */
  in: Type.String(),
  /** JSON Pointer (RFC 6901) into that part; '' is the part itself. */
  pointer: Type.String(),
  detail: Type.String(),
});

export const ProblemDetailsSchema = Type.Object(
  {
    type: Type.String({ description: 'URI reference naming the problem type.' }),
    title: Type.String({ description: 'Short summary of the problem type; the same for every occurrence.' }),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String({ description: 'What went wrong this time. Never internals for 5xx.' }),
    instance: Type.String({ description: 'The request path this occurrence is about.' }),
    code: Type.String({ pattern: '^API_ERR_[A-Z0-9_]+$', description: 'Stable machine-readable code.' }),
    requestId: Type.String({ description: 'Correlates with the server logs.' }),
    errors: Type.Optional(Type.Array(InvalidParamSchema)),
  },
  { title: 'ProblemDetails', description: 'RFC 9457 problem details.', additionalProperties: true },
);

export type InvalidParam = Static<typeof InvalidParamSchema>;
export type ProblemDetails = Static<typeof ProblemDetailsSchema>;

/** `API_ERR_ROUTE_NOT_FOUND` -> `urn:mqtt-platform:problem:route-not-found`. */
export function problemTypeUri(code: string): string {
  return `urn:mqtt-platform:problem:${code.replace(/^API_ERR_/, '').toLowerCase().replaceAll('_', '-')}`;
}

/** Members an extension may not replace. */
const STANDARD_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'instance', 'code', 'requestId']);

export function createProblem(
  kind: ApiErrorKind,
  fields: { detail: string; instance: string; requestId: string; status?: number; extensions?: Record<string, unknown> },
): ProblemDetails {
  const extensions = Object.entries(fields.extensions ?? {}).filter(([key]) => !STANDARD_MEMBERS.has(key));
  return {
    type: problemTypeUri(kind.code),
    title: kind.title,
    status: fields.status ?? kind.status,
    detail: fields.detail,
    instance: fields.instance,
    code: kind.code,
    requestId: fields.requestId,
    ...Object.fromEntries(extensions),
  };
}
