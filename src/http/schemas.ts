import { type TSchema, Type } from '@sinclair/typebox';

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
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
