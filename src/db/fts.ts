/**
 * SQLite's FTS5 trigram indexes (the session list's `q`, migration 016; the activity log's,
 * migration 028): what they can be asked.
 */

/** A trigram index finds only texts of three characters or more. */
export const TRIGRAM_MIN_LENGTH = 3;

/** Text as one FTS5 phrase: between double quotes, each double quote doubled. */
export function ftsPhrase(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/**
 * Text as a query of a `detail=none` trigram index, which keeps no positions and so takes no
 * phrases: every trigram of the text, ANDed. It names a superset of the rows holding the text
 * (the trigrams may sit apart), so the exact check must follow.
 */
export function trigramQuery(text: string): string {
  const chars = [...text];
  const trigrams = new Set<string>();
  for (let i = 0; i + TRIGRAM_MIN_LENGTH <= chars.length; i++) {
    trigrams.add(ftsPhrase(chars.slice(i, i + TRIGRAM_MIN_LENGTH).join('')));
  }
  return [...trigrams].join(' AND ');
}

/** Whether a trigram index can be asked for this text (long enough, and well-formed Unicode). */
export function trigramSearchable(text: string): boolean {
  return text.isWellFormed() && [...text].length >= TRIGRAM_MIN_LENGTH;
}
