import { randomBytes } from 'node:crypto';

/** Random bytes in a generated password: far beyond guessing, short enough to type once. */
const GENERATED_PASSWORD_BYTES = 18;

/** A strong random password (base64url) that does not contain `username`, as the policy asks. */
export function generatePassword(username: string): string {
  for (;;) {
    const password = randomBytes(GENERATED_PASSWORD_BYTES).toString('base64url');
    // A very short username can turn up in random text: draw again rather than break the rule.
    if (!password.toLowerCase().includes(username.toLowerCase())) return password;
  }
}
