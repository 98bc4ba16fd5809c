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

/** Whether a trigram index can be asked for this text (long enough, and well-formed Unicode). */
export function trigramSearchable(text: string): boolean {
  return text.isWellFormed() && [...text].length >= TRIGRAM_MIN_LENGTH;
}
