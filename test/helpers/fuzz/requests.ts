import fc from 'fast-check';
import type { FuzzOperation } from './openapi-routes.js';
import { anyString, fromSchema, junk, rawBody } from './values.js';

export const IDENTITIES = ['admin', 'user', 'apiKey', 'anonymous'] as const;
export type Identity = (typeof IDENTITIES)[number];

/** One generated request, still holding the KNOWN stand-ins. */
export interface FuzzRequest {
  identity: Identity;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
  remoteAddress: string;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json; charset=latin1',
  'application/json;',
  'application/jsonx',
  'application/merge-patch+json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  '',
  ';;;',
];
/** The headers the app reads, plus a few a proxy or browser adds. */
const HEADER_NAMES = [
  'user-agent',
  'accept',
  'origin',
  'sec-fetch-site',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'sec-ch-ua-platform',
  'sec-ch-ua-platform-version',
  'sec-ch-ua-mobile',
  'sec-ch-ua-model',
  'authorization',
  'cookie',
  'content-length',
  'transfer-encoding',
  'accept-version',
];

/** Percent-encodes UTF-8 bytes, so any string (an unpaired surrogate too) can go in a URL. */
export function encode(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).padStart(2, '0')}`,
    )
    .join('');
}

/** What a query value becomes on the wire: arrays repeat the key, objects go in brackets. */
/**
 * A generated value as URL text. String() throws on objects whose `toString` key holds no function
 * (JSON values such as `{"toString": 1}`), so objects are written as JSON.
 */
export function asText(value: unknown): string {
  return value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function queryPairs(key: string, value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => queryPairs(key, v));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => queryPairs(`${key}[${k}]`, v));
  }
  return [`${encode(key)}=${encode(asText(value))}`];
}

const RAW_URL_TAILS = [
  '',
  '',
  '',
  '&',
  '&&',
  '=',
  '%',
  '%zz',
  '?x=1',
  '#frag',
  '&q=a&q=b',
  '&limit=1&limit=2',
  '&a[b][c]=1',
];
const RAW_PATH_SEGMENTS = ['%', '%E0%A4%A', '%2F', '..', '', '%00', 'a'.repeat(200), ';x=1', '*'];

/**
 * How far a request strays from its schema: `valid` requests reach the handlers (and the
 * database), `mutated` ones have junk somewhere, `junk` ones anything anywhere.
 */
type Mode = 'valid' | 'mutated' | 'junk';
const MUTATION_ODDS: Record<Mode, number> = { valid: 0, mutated: 6, junk: 2 };

function pathArbitrary(operation: FuzzOperation, mode: Mode): fc.Arbitrary<string> {
  const names = Object.keys(operation.pathParams);
  if (names.length === 0) return fc.constant(operation.path);
  const values = names.map((name) => {
    const shaped = fromSchema(operation.pathParams[name], MUTATION_ODDS[mode]).map((v) => encode(asText(v)));
    if (mode === 'valid') return shaped;
    return fc.oneof(
      { arbitrary: shaped, weight: 4 },
      { arbitrary: fc.constantFrom(...RAW_PATH_SEGMENTS), weight: 1 },
    );
  });
  return fc
    .tuple(...values)
    .map((encoded) =>
      names.reduce((path, name, i) => path.replace(`:${name}`, encoded[i] as string), operation.path),
    );
}

function queryArbitrary(operation: FuzzOperation, mode: Mode): fc.Arbitrary<string> {
  // A valid search mostly names few filters: each one is one more way to be refused.
  const absentWeight = mode === 'valid' ? 3 : 1;
  const known = Object.entries(operation.query).map(([name, schema]) =>
    fc.oneof(
      { arbitrary: fc.constant<string[]>([]), weight: absentWeight },
      {
        arbitrary: fromSchema(schema, MUTATION_ODDS[mode]).map((value) => queryPairs(name, value)),
        weight: 1,
      },
    ),
  );
  const extra = mode === 'valid' ? fc.constant([]) : fc.array(fc.tuple(anyString, junk), { maxLength: 2 });
  const tail = mode === 'valid' ? fc.constant('') : fc.constantFrom(...RAW_URL_TAILS);
  return fc.tuple(fc.tuple(...known), extra, tail).map(([pairs, extras, rawTail]) => {
    const all = [...pairs.flat(), ...extras.flatMap(([k, v]) => queryPairs(k, v))];
    const query = all.join('&') + rawTail;
    return query ? `?${query}` : '';
  });
}

function headersArbitrary(mode: Mode): fc.Arbitrary<Record<string, string>> {
  const contentType =
    mode === 'valid'
      ? fc.constant('application/json')
      : fc.oneof(
          { arbitrary: fc.constant('application/json'), weight: 3 },
          { arbitrary: fc.constantFrom(...CONTENT_TYPES), weight: 1 },
          { arbitrary: fc.constant(undefined), weight: 1 },
        );
  const others =
    mode === 'valid'
      ? fc.constant({})
      : fc.dictionary(fc.constantFrom(...HEADER_NAMES), anyString, { maxKeys: 3 });
  return fc
    .tuple(contentType, others)
    .map(([type, rest]) => ({ ...rest, ...(type === undefined ? {} : { 'content-type': type }) }));
}

function bodyArbitrary(operation: FuzzOperation, mode: Mode): fc.Arbitrary<string | undefined> {
  const shaped = fromSchema(operation.body, MUTATION_ODDS[mode]).map((value) =>
    value === undefined ? undefined : JSON.stringify(value),
  );
  if (mode === 'valid') return shaped;
  return fc.oneof(
    { arbitrary: shaped, weight: 4 },
    { arbitrary: rawBody, weight: mode === 'junk' ? 3 : 1 },
    { arbitrary: fc.constant(undefined), weight: 1 },
  );
}

/** Requests for one operation: its own method mostly, schema-shaped or junk in every part. */
export function requestArbitrary(operation: FuzzOperation): fc.Arbitrary<FuzzRequest> {
  return fc.constantFrom<Mode>('valid', 'mutated', 'junk').chain((mode) =>
    fc
      .record({
        identity: fc.constantFrom(...IDENTITIES),
        method:
          mode === 'junk'
            ? fc.oneof(
                { arbitrary: fc.constant(operation.method), weight: 2 },
                { arbitrary: fc.constantFrom(...METHODS), weight: 1 },
              )
            : fc.constant(operation.method),
        path: pathArbitrary(operation, mode),
        query: queryArbitrary(operation, mode),
        headers: headersArbitrary(mode),
        body: bodyArbitrary(operation, mode),
        remoteAddress: fc.constantFrom('198.51.100.7', '203.0.113.9', '::1', '2001:db8::1', '10.0.0.1'),
      })
      .map(({ path, query, headers, ...rest }) => {
        // A valid request without a body says nothing about its (absent) type.
        const { 'content-type': _type, ...untyped } = headers;
        const typed = mode === 'valid' && rest.body === undefined ? untyped : headers;
        return { ...rest, headers: typed, url: path + query };
      }),
  );
}
