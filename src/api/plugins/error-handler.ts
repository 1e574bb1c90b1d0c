// Renders every error as {api_id, error, code, field?}; a 5xx never leaks internals.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, ERRORS, type ErrorCode } from '../../errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Seed 001: a missing required body parameter is 422, not 400. */
    missingRequiredIs422?: boolean;
  }
}

interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

function fieldOf(e: AjvError): string | undefined {
  if (e.keyword === 'required') return String(e.params['missingProperty']);
  if (e.keyword === 'additionalProperties') return String(e.params['additionalProperty']);
  const p = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  return p === '' ? undefined : p;
}

function fromValidation(request: FastifyRequest, err: FastifyError): ApiError {
  const errors = (err.validation ?? []) as AjvError[];
  // A value of the wrong type for an enum field: the list of allowed values says more than its type.
  const enumOfFirst = errors.find((e) => e.keyword === 'enum' && e.instancePath === errors[0]?.instancePath);
  const first = errors[0]?.keyword === 'type' && enumOfFirst !== undefined ? enumOfFirst : errors[0];
  if (first === undefined) return new ApiError('validation_failed', { detail: err.message });
  const field = fieldOf(first);
  const opts = field === undefined ? {} : { field };
  if (first.keyword === 'required') {
    const missing = errors
      .filter((e) => e.keyword === 'required')
      .map((e) => String(e.params['missingProperty']));
    const detail = `Missing required parameter${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`;
    const code: ErrorCode = request.routeOptions.config.missingRequiredIs422
      ? 'missing_required_parameters'
      : 'validation_failed';
    return new ApiError(code, { detail }, opts);
  }
  if (first.keyword === 'additionalProperties')
    return new ApiError('unknown_field', { field: field ?? '?' }, opts);
  if (first.keyword === 'type' && first.instancePath === '')
    return new ApiError('validation_failed', { detail: 'The request body must be a JSON object' });
  const where = field ?? 'value';
  let detail = `${where} ${first.message ?? 'is invalid'}`;
  if (first.keyword === 'enum')
    detail = `${where} must be one of ${(first.params['allowedValues'] as unknown[]).join(', ')}`;
  return new ApiError('validation_failed', { detail }, opts);
}

export function toApiError(request: FastifyRequest, err: FastifyError | ApiError | Error): ApiError {
  if (err instanceof ApiError) return err;
  const fe = err as FastifyError;
  if (fe.validation) return fromValidation(request, fe);
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError('invalid_json', { detail: 'check quoting and commas' });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('payload_too_large', { limit: request.routeOptions.bodyLimit ?? 1048576 });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('unsupported_media_type');
  }
  if (err instanceof SyntaxError) return new ApiError('invalid_json', { detail: 'check quoting and commas' });
  const status = fe.statusCode ?? 500;
  if (status >= 400 && status < 500) return new ApiError('validation_failed', { detail: fe.message });
  return new ApiError('internal_error');
}

export function sendError(request: FastifyRequest, reply: FastifyReply, apiError: ApiError): FastifyReply {
  if (apiError.headers) void reply.headers(apiError.headers);
  const body: Record<string, unknown> = {
    api_id: request.id,
    error: apiError.message,
    code: apiError.code,
  };
  if (apiError.field !== undefined) body['field'] = apiError.field;
  if (apiError.extra) Object.assign(body, apiError.extra);
  return reply.code(apiError.status).type('application/json; charset=utf-8').send(JSON.stringify(body));
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    const apiError = toApiError(request, err);
    if (apiError.status >= 500) {
      // Log the cause (never a request body: it may hold a password).
      request.log.error(
        { err: { message: err.message, code: (err as FastifyError).code, stack: err.stack } },
        'request failed',
      );
    }
    return sendError(request, reply, apiError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      new ApiError('route_not_found', { method: request.method, url: request.url.split('?')[0] ?? '' }),
    ),
  );
}

export { ERRORS };
