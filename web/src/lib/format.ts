const numbers = new Intl.NumberFormat();

/** 1234 → "1,234" in the browser's locale. */
export const formatCount = (n: number): string => numbers.format(n);

/** "1 session", "3 sessions". */
export const plural = (n: number, one: string, many = `${one}s`): string =>
  `${formatCount(n)} ${n === 1 ? one : many}`;

/** Joins ["a", "b", "c"] as "a, b and c". */
export function listPhrase(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
