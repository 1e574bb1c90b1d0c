import { Type } from '@sinclair/typebox';

export const ApiId = Type.String({ format: 'uuid', description: 'A fresh id for this API call' });

export const ErrorBody = Type.Object(
  {
    api_id: ApiId,
    error: Type.String({ description: 'A message a person can act on' }),
    code: Type.String({ description: 'Stable machine-readable code (see the error registry)' }),
    field: Type.Optional(Type.String()),
  },
  { $id: 'Error', additionalProperties: true },
);

export const Uuid = Type.String({ description: 'A UUID' });

export const MessageOnly = Type.Object({ api_id: ApiId, message: Type.String() });

/** Standard error responses, for the OpenAPI document. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorBody> {
  const out: Record<number, typeof ErrorBody> = {};
  for (const s of statuses) out[s] = ErrorBody;
  return out;
}

export const NoContent = Type.Null({ description: 'No content' });
