/** A refusal of the CLI itself (no database, schema behind, nothing to do): one line, exit 1. */
export class CliError extends Error {}

/**
 * One line for any error: the first line of its message, or what an empty one hides (Node's
 * AggregateError for a refused connection to every address of `localhost` has no message).
 */
export function errorLine(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return [...new Set(error.errors.map(errorLine))].join('; ');
  }
  if (error instanceof Error) {
    const first = error.message.split('\n')[0]?.trim();
    return first || (error as NodeJS.ErrnoException).code || error.name;
  }
  return String(error);
}
