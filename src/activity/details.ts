import type { ActivityDetails, DetailsObject } from '../contracts/activity.js';

/** A string's details at most, in characters (as before objects were allowed). */
export const MAX_DETAILS_CHARS = 4_000;
/** An object's details at most: the bytes of its compact UTF-8 JSON. */
export const MAX_DETAILS_BYTES = 16_384;
/**
 * Joins the string values of an object's details in their searchable text: `q` cannot contain
 * it (the trigram path), so it never matches across two values, as U+0001 already keeps target
 * and details apart (migration 004).
 */
const VALUE_JOINT = '\u0001';

/** Details as they are stored (decision 018): the text `q` searches, and an object's canonical JSON. */
export interface StoredDetails {
  /** A string's details as sent; an object's string values at any depth, joined by U+0001. */
  details: string | null;
  /** An object's canonical JSON (sorted keys, compact); null for a string or no details. */
  detailsJson: string | null;
}

export function isDetailsObject(value: unknown): value is DetailsObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What is wrong with an ingested event's `details`, or undefined. Runs before the schema: Ajv's
 * type coercion would turn 42 into "42" and ["a"] into "a". The input guard has already refused
 * nesting deeper than 64 levels, so stringifying cannot overflow the stack.
 */
export function detailsProblem(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    return value.length > MAX_DETAILS_CHARS
      ? `must be at most ${MAX_DETAILS_CHARS} characters (got ${value.length})`
      : undefined;
  }
  if (!isDetailsObject(value)) return 'must be a string or a JSON object';
  const bytes = Buffer.byteLength(JSON.stringify(value));
  return bytes > MAX_DETAILS_BYTES
    ? `must be at most ${MAX_DETAILS_BYTES} bytes of compact JSON (got ${bytes})`
    : undefined;
}

/** Details as both columns store them. */
export function toStoredDetails(value: ActivityDetails | null | undefined): StoredDetails {
  if (value === undefined || value === null) return { details: null, detailsJson: null };
  if (typeof value === 'string') return { details: value.toWellFormed(), detailsJson: null };
  const strings: string[] = [];
  const detailsJson = canonicalJson(value, strings);
  return { details: strings.join(VALUE_JOINT).toWellFormed(), detailsJson };
}

/** Details as the API shows them: the object back from its JSON, or the string. */
export function fromStoredDetails(
  details: string | null,
  detailsJson: string | null,
): ActivityDetails | null {
  return detailsJson === null ? details : (JSON.parse(detailsJson) as DetailsObject);
}

/**
 * JSON with every object's keys sorted by UTF-16 code units and no white space, so the same
 * object hashes the same whatever order its keys came in. `strings` collects the string values
 * (never the keys), in that order. JSON.stringify writes each key and leaf: its escapes are
 * well-formed (a lone surrogate becomes `\udXXX`).
 */
export function canonicalJson(value: unknown, strings: string[] = []): string {
  if (typeof value === 'string') {
    strings.push(value);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item, strings)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item, strings)}`).join(',')}}`;
  }
  // Numbers, booleans and null as JSON writes them (a non-finite number is null there too).
  return JSON.stringify(value ?? null);
}
