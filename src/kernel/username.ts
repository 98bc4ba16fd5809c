import { AppError } from './errors.js';

export const USERNAME_MAX_LENGTH = 64;

/**
 * What a username may hold once normalised: ASCII letters, digits and `. _ @ + -`, starting with a
 * letter or digit (so an email address fits). Nothing else, on purpose: a name in another script
 * can look exactly like an existing one (Cyrillic "аdmin"), and an audit trail must not show two
 * users who read the same. Allowing other scripts would need a confusables check (UTS #39).
 */
export const CANONICAL_USERNAME = new RegExp(`^[a-z0-9][a-z0-9._@+-]{0,${USERNAME_MAX_LENGTH - 1}}$`);

// Unicode White_Space only: U+FEFF and other invisible format characters are not trimmed, so
// that creating "\uFEFFadmin" is refused rather than quietly becoming "admin".
const SURROUNDING_WHITESPACE = /^\p{White_Space}+|\p{White_Space}+$/gu;

/**
 * The one form of a username that is stored and compared, by every way in (API, CLI, first
 * start, login, ingest, search): NFKC folds compatibility look-alikes (fullwidth "ＡＤＭＩＮ",
 * the Kelvin sign, ligatures) into their plain letters; surrounding whitespace, which nobody
 * reads as part of a name, goes; then case is dropped. Lookups use this without
 * `canonicalUsername`'s checks, so a refused name simply finds nobody.
 */
export function normalizeUsername(username: string): string {
  return username.normalize('NFKC').replace(SURROUNDING_WHITESPACE, '').toLowerCase();
}

/** The reasons a character is refused, in the order they are checked, for a message that helps. */
const REFUSED: Array<[RegExp, string]> = [
  [/\p{Cc}/u, 'a control character'],
  [/\p{Cf}/u, 'an invisible formatting character'],
  [/\p{Cn}/u, 'an unassigned character'],
  [/[\p{White_Space}\p{Zs}]/u, 'whitespace'],
  [/[^a-z0-9._@+-]/u, 'a character other than letters a-z, digits and . _ @ + -'],
];

/**
 * The normalised username, or INVALID_INPUT saying what is wrong with it. Every path that
 * creates a user goes through here, so the CLI cannot create what the API would refuse.
 */
export function canonicalUsername(input: string, field = 'username'): string {
  const username = normalizeUsername(input);
  if (CANONICAL_USERNAME.test(username)) return username;
  if (username.length === 0) throw new AppError('INVALID_INPUT', `${field} must not be empty`);
  if (username.length > USERNAME_MAX_LENGTH) {
    throw new AppError('INVALID_INPUT', `${field} must be at most ${USERNAME_MAX_LENGTH} characters long`);
  }
  for (const char of username) {
    const reason = REFUSED.find(([pattern]) => pattern.test(char))?.[1];
    if (reason) {
      const code = `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
      throw new AppError('INVALID_INPUT', `${field} must not contain ${reason} (${code})`);
    }
  }
  throw new AppError('INVALID_INPUT', `${field} must start with a letter or digit`);
}
