// onRequest hook for every route, before authentication: path ids and query values that no store
// could hold as sent (a NUL, a lone surrogate) are a 400 here, so no id reaches a query — the body
// gets the same check in src/api/body-parsers.ts. Query strings are then converted strictly to
// their schema's types (src/api/form-values.ts), since ajv does not coerce.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { convertFormValues } from '../form-values.ts';
import { findTextProblem, textProblemError } from '../text-input.ts';

export async function inputGuard(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  const params = findTextProblem(request.params);
  if (params !== undefined) throw textProblemError(params, 'path');
  const query = findTextProblem(request.query);
  if (query !== undefined) throw textProblemError(query, 'query');
  const schema = request.routeOptions.schema?.querystring;
  if (schema !== undefined && request.query !== null && typeof request.query === 'object')
    convertFormValues(request.query as Record<string, unknown>, schema);
}
