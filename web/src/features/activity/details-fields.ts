import type { ActivityDetails, DetailsObject, JsonValue } from '../../api/types.ts';

/** One leaf of an object's details: its path (`job.id`, `items[1]`) and its value as text. */
export interface DetailsField {
  path: string;
  value: string;
}

/**
 * An object's details as a flat list, in key order: nested objects and arrays become paths, so
 * any shape reads as "key: value" lines. Empty objects and arrays stay visible as `{}` and `[]`.
 */
export function detailsFields(details: DetailsObject): DetailsField[] {
  const fields: DetailsField[] = [];
  const walk = (value: JsonValue, path: string) => {
    if (Array.isArray(value)) {
      if (value.length === 0) fields.push({ path, value: '[]' });
      for (const [i, item] of value.entries()) walk(item, `${path}[${i}]`);
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      if (entries.length === 0 && path !== '') fields.push({ path, value: '{}' });
      for (const [key, item] of entries) walk(item, path === '' ? key : `${path}.${key}`);
    } else {
      fields.push({ path, value: typeof value === 'string' ? value : JSON.stringify(value) });
    }
  };
  walk(details, '');
  return fields;
}

/** Details on one line: a string as it is, an object as `key: value · key: value`. */
export function detailsSummary(details: ActivityDetails): string {
  if (typeof details === 'string') return details;
  return detailsFields(details)
    .map((field) => `${field.path}: ${field.value}`)
    .join(' · ');
}
