/**
 * The API's error catalogue: every error a client can see has a stable `code` (API_ERR_*), an HTTP
 * status and a title that does not change between occurrences. Services throw `ApiError`; the
 * error handler (plugins/errors.ts) is the only place that turns errors into responses.
 */
export interface ApiErrorKind {
  readonly code: `API_ERR_${string}`;
  readonly status: number;
  readonly title: string;
}

export const ApiErrors = {
  validation: { code: 'API_ERR_VALIDATION', status: 400, title: 'Request validation failed' },
  badRequest: { code: 'API_ERR_BAD_REQUEST', status: 400, title: 'Bad request' },
  unauthorized: { code: 'API_ERR_UNAUTHORIZED', status: 401, title: 'Authentication required' },
  forbidden: { code: 'API_ERR_FORBIDDEN', status: 403, title: 'Forbidden' },
  routeNotFound: { code: 'API_ERR_ROUTE_NOT_FOUND', status: 404, title: 'Route not found' },
  notFound: { code: 'API_ERR_NOT_FOUND', status: 404, title: 'Resource not found' },
  methodNotAllowed: { code: 'API_ERR_METHOD_NOT_ALLOWED', status: 405, title: 'Method not allowed' },
  notAcceptable: { code: 'API_ERR_NOT_ACCEPTABLE', status: 406, title: 'Not acceptable' },
  conflict: { code: 'API_ERR_CONFLICT', status: 409, title: 'Conflict' },
  payloadTooLarge: { code: 'API_ERR_PAYLOAD_TOO_LARGE', status: 413, title: 'Payload too large' },
  unsupportedMediaType: { code: 'API_ERR_UNSUPPORTED_MEDIA_TYPE', status: 415, title: 'Unsupported media type' },
  tooManyRequests: { code: 'API_ERR_TOO_MANY_REQUESTS', status: 429, title: 'Too many requests' },
  internal: { code: 'API_ERR_INTERNAL', status: 500, title: 'Internal server error' },
  serviceUnavailable: { code: 'API_ERR_SERVICE_UNAVAILABLE', status: 503, title: 'Service unavailable' },
  /** No broker node answered a command within the deadline (is a broker running on this database?). */
  brokerTimeout: { code: 'API_ERR_BROKER_TIMEOUT', status: 504, title: 'The broker did not answer in time' },
  /** A broker node answered that it could not carry out a command. */
  brokerFailed: { code: 'API_ERR_BROKER_FAILED', status: 502, title: 'The broker could not carry out the command' },
} as const satisfies Record<string, ApiErrorKind>;

/** An error with a meaning the client may know: `detail` is shown to the caller (unless 5xx). */
export class ApiError extends Error {
  readonly kind: ApiErrorKind;
  /** Extra RFC 9457 members, e.g. `{ userId }` for a not-found MQTT user. */
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(kind: ApiErrorKind, detail: string, options: { cause?: unknown; extensions?: Record<string, unknown> } = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.kind = kind;
    this.extensions = options.extensions ?? {};
  }

  get code(): string {
    return this.kind.code;
  }

  get statusCode(): number {
    return this.kind.status;
  }
}

/** Fastify's own 4xx errors (FST_ERR_*) by HTTP status, when no more specific kind applies. */
const kindsByStatus: ReadonlyMap<number, ApiErrorKind> = new Map(
  [
    ApiErrors.badRequest,
    ApiErrors.unauthorized,
    ApiErrors.forbidden,
    ApiErrors.notFound,
    ApiErrors.methodNotAllowed,
    ApiErrors.notAcceptable,
    ApiErrors.conflict,
    ApiErrors.payloadTooLarge,
    ApiErrors.unsupportedMediaType,
    ApiErrors.tooManyRequests,
    ApiErrors.serviceUnavailable,
  ].map((kind) => [kind.status, kind]),
);

/** The catalogue entry for an HTTP status: exact when known, else the generic 4xx/5xx kind. */
export function kindForStatus(status: number): ApiErrorKind {
  const known = kindsByStatus.get(status);
  if (known) return known;
  if (status >= 400 && status < 500) return { ...ApiErrors.badRequest, status };
  return ApiErrors.internal;
}
