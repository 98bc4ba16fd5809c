import type { LightMyRequestResponse } from 'fastify';

/**
 * An answer as a prober would compare two of them: everything except what names this one request
 * (its date and its request id, which differ between any two answers and tell nothing about the data).
 */
export function comparableAnswer(response: LightMyRequestResponse) {
  const { date: _date, 'x-request-id': _requestId, ...headers } = response.headers;
  return { status: response.statusCode, headers, body: withoutRequestId(response.body) };
}

function withoutRequestId(body: string): unknown {
  try {
    const parsed: unknown = JSON.parse(body);
    if (isErrorBody(parsed)) {
      const { requestId: _requestId, ...error } = parsed.error;
      return { ...parsed, error };
    }
    return parsed;
  } catch {
    return body;
  }
}

function isErrorBody(value: unknown): value is { error: Record<string, unknown> } {
  return (
    typeof value === 'object' &&
    value !== null &&
    'error' in value &&
    typeof value.error === 'object' &&
    value.error !== null
  );
}
