import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, ApiErrors, kindForStatus, type ApiErrorKind } from '../lib/api-error.js';
import { globalPlugin } from '../lib/global-plugin.js';
import { createProblem, PROBLEM_CONTENT_TYPE, type InvalidParam, type ProblemDetails } from '../lib/problem-details.js';

/**
 * The one place where errors become responses: every error, thrown by a route, by Fastify
 * (validation, content type, body size) or by nobody (an unknown route), leaves as RFC 9457
 * `application/problem+json` with a stable `code`. Details of 5xx errors stay in the logs.
 */
export const errorsPlugin = globalPlugin(
  async (app) => {
    app.setErrorHandler((error: FastifyError | ApiError | Error, request, reply) => {
      const described = describeError(error);
      if (described.status >= 500) {
        request.log.error({ err: error }, 'request failed');
      } else {
        request.log.info({ code: described.kind.code, status: described.status, detail: described.detail }, 'request rejected');
      }
      return sendProblem(request, reply, described);
    });

    app.setNotFoundHandler((request, reply) =>
      sendProblem(request, reply, {
        kind: ApiErrors.routeNotFound,
        status: ApiErrors.routeNotFound.status,
        detail: `No route for ${request.method} ${requestPath(request)}.`,
      }),
    );
  },
  { name: 'errors' },
);

interface DescribedError {
  kind: ApiErrorKind;
  status: number;
  detail: string;
  extensions?: Record<string, unknown>;
}

const HIDDEN_DETAIL = 'The server could not complete the request. Quote the requestId when reporting this.';

/** Maps any thrown value to a catalogue entry, an HTTP status and a detail safe to show. */
export function describeError(error: unknown): DescribedError {
  if (error instanceof ApiError) {
    const { kind } = error;
    return kind.status >= 500
      ? { kind, status: kind.status, detail: HIDDEN_DETAIL }
      : { kind, status: kind.status, detail: error.message, extensions: { ...error.extensions } };
  }
  const fastifyError = error as Partial<FastifyError> | undefined;
  if (fastifyError?.validation) {
    const part = fastifyError.validationContext ?? 'request';
    const errors = fastifyError.validation.map((issue) => toInvalidParam(part, issue));
    return {
      kind: ApiErrors.validation,
      status: ApiErrors.validation.status,
      detail: `Invalid ${part}: ${errors.map((e) => `${e.pointer || '/'}: ${e.detail}`).join('; ')}`,
      extensions: { errors },
    };
  }
  const status = fastifyError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { kind: kindForStatus(status), status, detail: fastifyError?.message || kindForStatus(status).title };
  }
  const kind = typeof status === 'number' && status >= 500 && status < 600 ? kindForStatus(status) : ApiErrors.internal;
  return { kind, status: typeof status === 'number' && status >= 500 && status < 600 ? status : kind.status, detail: HIDDEN_DETAIL };
}

function toInvalidParam(
  context: string,
  issue: NonNullable<FastifyError['validation']>[number],
): InvalidParam {
  const params = issue.params as Record<string, unknown>;
  // "required" is reported on the parent; point at the missing member instead.
  const missing = issue.keyword === 'required' ? params['missingProperty'] : undefined;
  const pointer = typeof missing === 'string' ? `${issue.instancePath}/${escapePointer(missing)}` : issue.instancePath;
  return { in: context, pointer, detail: issue.message ?? issue.keyword };
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

function requestPath(request: FastifyRequest): string {
  return request.url.split('?', 1)[0] ?? request.url;
}

function sendProblem(request: FastifyRequest, reply: FastifyReply, described: DescribedError): FastifyReply {
  const problem: ProblemDetails = createProblem(described.kind, {
    status: described.status,
    detail: described.detail,
    instance: requestPath(request),
    requestId: request.id,
    ...(described.extensions ? { extensions: described.extensions } : {}),
  });
  // Serialized here so that no route's response schema reshapes it.
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}
