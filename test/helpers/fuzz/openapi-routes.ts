import type { FastifyInstance } from 'fastify';

/** A JSON Schema as the OpenAPI document carries it (only the keywords the generators read). */
export interface JsonSchema {
  type?: string;
  format?: string;
  pattern?: string;
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

export interface FuzzOperation {
  method: string;
  /** Fastify's form, `/api/sessions/:id`. */
  path: string;
  pathParams: Record<string, JsonSchema>;
  query: Record<string, JsonSchema>;
  body: JsonSchema | undefined;
}

interface OpenApiParameter {
  in: string;
  name: string;
  schema: JsonSchema;
}
interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

/** Routes the OpenAPI document leaves out (hide: true, plugins), fuzzed without a schema. */
const HIDDEN_ROUTES: FuzzOperation[] = ['/api/openapi.json', '/docs', '/docs/json', '/', '/login'].map(
  (path) => ({
    method: 'GET',
    path,
    pathParams: {},
    query: {},
    body: undefined,
  }),
);

/** Every route of the app with its input schemas, read from /api/openapi.json. */
export async function listOperations(app: FastifyInstance): Promise<FuzzOperation[]> {
  const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
    paths: Record<string, Record<string, OpenApiOperation>>;
  };
  const operations: FuzzOperation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const parameters = operation.parameters ?? [];
      const byPlace = (place: string) =>
        Object.fromEntries(parameters.filter((p) => p.in === place).map((p) => [p.name, p.schema]));
      operations.push({
        method: method.toUpperCase(),
        path: path.replace(/\{(\w+)\}/g, ':$1'),
        pathParams: byPlace('path'),
        query: byPlace('query'),
        body: operation.requestBody?.content?.['application/json']?.schema,
      });
    }
  }
  return [...operations, ...HIDDEN_ROUTES];
}
