import { type TSchema, Type } from '@sinclair/typebox';
import { ERROR_CODES, type ErrorCode } from '../kernel/errors.js';

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.Union(
        (Object.keys(ERROR_CODES) as ErrorCode[]).map((code) => Type.Literal(code)),
        { description: 'one of a fixed catalogue, each with its own status' },
      ),
      message: Type.String(),
      requestId: Type.Optional(
        Type.String({ description: 'the X-Request-Id of the answer, as the logs name it' }),
      ),
    }),
  },
  { $id: 'Error', description: 'Every error: a stable code and a human message' },
);

/** The error statuses a route may answer, each with the shared error body. */
export function errors(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((status) => [status, Type.Ref('Error')]));
}

export const Uuid = Type.String({ format: 'uuid' });

/** A field that may be null: the wire says null, never an absent key. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
