import fc from 'fast-check';
import type { JsonSchema } from './openapi-routes.js';

/**
 * Stand-ins for values the app knows (a live session's id, a user's name), resolved when the
 * request is sent, so generated requests also reach the code behind "not found".
 */
export const KNOWN = {
  uuid: ['$adminId', '$userId', '$adminSessionId', '$userSessionId', '$apiKeyId'],
  string: ['$adminUsername', '$username', '$password', '$adminSessionToken', '$userSessionToken'],
} as const;

const DEEP = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;

/** Strings that have broken parsers, coercions and databases before. */
export const nastyString = fc.constantFrom(
  '',
  ' ',
  '1e309',
  '-1e309',
  '-0',
  'NaN',
  'Infinity',
  '0x10',
  '1.5',
  '-1',
  '0',
  '99999999999999999999999',
  'null',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'prototype',
  '%00',
  '%',
  '%E0%A4%A',
  '\u0000',
  '\ud800',
  'a\udfffb',
  '\ufeff',
  '\u202e',
  '💾',
  'é',
  '../../etc/passwd',
  "' or 1=1--",
  '<script>alert(1)</script>',
  '=HYPERLINK("x")',
  '\r\n',
  'a'.repeat(5_000),
  '2026-02-30T25:61:00Z',
  '0000-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.001Z',
  '00000000-0000-0000-0000-000000000000',
  ...KNOWN.uuid,
  ...KNOWN.string,
);

export const anyString = fc.oneof(
  { arbitrary: nastyString, weight: 3 },
  { arbitrary: fc.string({ maxLength: 30 }), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 30 }), weight: 1 },
);

const hugeNumber = fc.constantFrom(
  1e308,
  -1e308,
  2 ** 53 + 2,
  -(2 ** 63),
  5e-324,
  -0,
  Number.POSITIVE_INFINITY,
  Number.NaN,
);

/** Any JSON value, of any shape: wrong types, huge numbers, nesting. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: anyString, weight: 4 },
  { arbitrary: fc.oneof(fc.integer(), fc.double(), hugeNumber), weight: 2 },
  { arbitrary: fc.constantFrom(null, true, false, [], {}), weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 2 },
);

/** Request bodies that are not JSON of any schema, or barely. */
export const rawBody = fc.oneof(
  fc.constantFrom(
    '',
    '{',
    '[',
    'null',
    '1e309',
    '"x"',
    '{"a":1e309}',
    '{"__proto__":{"role":"admin"}}',
    '{"constructor":{"prototype":{"x":1}}}',
    '\ufeff{}',
    '{"events":[]}',
    'username=a&password=b',
    DEEP,
    `{"events":[${'{"activity":"backup","username":"$username"},'.repeat(1_000)}{"activity":"x","username":"y"}]}`,
  ),
  fc.string({ unit: 'binary', maxLength: 50 }),
);

/**
 * Values shaped by `schema`, where any node may be swapped for junk or gain an unknown key, 1 time
 * in `mutationOdds`; 0 for values the schema accepts.
 */
export function fromSchema(schema: JsonSchema | undefined, mutationOdds = 6): fc.Arbitrary<unknown> {
  const shaped = shapedBy(schema, mutationOdds);
  if (mutationOdds === 0) return shaped;
  return fc.oneof({ arbitrary: shaped, weight: mutationOdds - 1 }, { arbitrary: junk, weight: 1 });
}

function shapedBy(schema: JsonSchema | undefined, odds: number): fc.Arbitrary<unknown> {
  if (!schema) return odds === 0 ? fc.constant(undefined) : junk;
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s) => shapedBy(s, odds)));
  switch (schema.type) {
    case 'string':
      return stringFor(schema);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000, max: schema.maximum ?? 1_000 });
    case 'number':
      return fc.double({ noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(fromSchema(schema.items, odds), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 4, 4),
      });
    case 'object': {
      const properties = schema.properties ?? {};
      const record = Object.fromEntries(
        Object.entries(properties).map(([k, s]) => [
          k,
          s.type === 'string' ? hinted(k, fromSchema(s, odds)) : fromSchema(s, odds),
        ]),
      );
      const shaped = fc.record(record, {
        requiredKeys: (schema.required ?? []).filter((k) => k in properties),
      });
      if (odds === 0) return shaped;
      // Sometimes a key the schema does not know.
      return fc
        .tuple(shaped, fc.option(fc.tuple(anyString, junk), { freq: odds }))
        .map(([value, extra]) => (extra ? { ...value, [extra[0]]: extra[1] } : value));
    }
    default:
      return junk;
  }
}

function stringFor(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.format === 'uuid') {
    return fc.oneof(
      { arbitrary: fc.uuid(), weight: 1 },
      { arbitrary: fc.constantFrom(...KNOWN.uuid), weight: 3 },
    );
  }
  if (schema.format === 'date-time') return recentDate;
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
  const maxLength = Math.min(schema.maxLength ?? 40, 40);
  return fc.oneof(
    fc.string({ minLength: schema.minLength ?? 0, maxLength }),
    fc.constantFrom(...KNOWN.string),
    recentDate,
  );
}

/** Mostly within the last year: far-future events are refused, far-past ones are out of every period. */
const recentDate = fc
  .date({ min: new Date(Date.now() - 400 * 86_400_000), max: new Date(), noInvalidDate: true })
  .map((d) => d.toISOString());

/** A field named like a username, a password, a session token or an IP mostly gets a real one, to get past those checks. */
function hinted(name: string, value: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  if (/ip$/i.test(name)) return fc.oneof(fc.ipV4(), fc.ipV6(), value);
  const live = /username/i.test(name)
    ? ['$username', '$adminUsername']
    : /password/i.test(name)
      ? ['$password']
      : /token/i.test(name)
        ? ['$userSessionToken', '$adminSessionToken']
        : [];
  if (live.length === 0) return value;
  return fc.oneof({ arbitrary: fc.constantFrom(...live), weight: 2 }, { arbitrary: value, weight: 1 });
}
